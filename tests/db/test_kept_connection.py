"""`Database.kept_autocommit()`: the hot read routes' connection, kept by its thread between
calls, never holding a transaction, never leaked, never kept broken. Both backends."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from elnudge.db import Database
from elnudge.db.tables import sites
from elnudge.errors import NotFound
from elnudge.provisioning import create_site


def in_transaction(connection: Connection) -> bool:
    """Whether the driver's connection has a transaction open (SQLite: a read snapshot;
    PostgreSQL: anything but idle)."""
    driver: Any = connection.connection.driver_connection
    if hasattr(driver, "in_transaction"):
        return bool(driver.in_transaction)
    return str(driver.info.transaction_status.name) != "IDLE"


def site_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(sites)).scalar_one())


def test_a_thread_keeps_one_connection_that_holds_no_transaction(database: Database) -> None:
    with database.kept_autocommit() as first:
        before = site_count(first)
    assert not in_transaction(first)
    with database.write() as connection:  # another connection commits
        create_site(connection, name="Kept", plan="starter", now_ms=0)
    with database.kept_autocommit() as second:
        assert second is first
        assert site_count(second) == before + 1  # no stale snapshot between calls
    assert not in_transaction(second)
    assert database.engine.pool.checkedout() == 1  # type: ignore[attr-defined]


def test_a_nested_call_gets_a_connection_of_its_own(database: Database) -> None:
    with database.kept_autocommit() as outer, database.kept_autocommit() as inner:
        assert inner is not outer
        site_count(inner)
    with database.kept_autocommit() as again:
        assert again is outer


def test_a_database_error_discards_the_connection_and_an_api_error_keeps_it(
    database: Database,
) -> None:
    with pytest.raises(NotFound), database.kept_autocommit() as first:
        site_count(first)
        raise NotFound("No such session.")
    with pytest.raises(SQLAlchemyError), database.kept_autocommit() as same:
        assert same is first
        same.execute(text("SELECT * FROM no_such_table"))
    with database.kept_autocommit() as fresh:
        assert fresh is not first
        site_count(fresh)
    assert first.closed
    assert database.engine.pool.checkedout() == 1  # type: ignore[attr-defined]


def test_connections_of_ended_threads_go_back_to_the_pool(database: Database) -> None:
    # More threads than the pool holds (5, and 10 more): without returning the connections of
    # ended threads, the 16th would wait for one until the pool's timeout.
    def read() -> None:
        with database.kept_autocommit() as connection:
            site_count(connection)

    for _ in range(20):
        thread = threading.Thread(target=read)
        thread.start()
        thread.join(timeout=20)
        assert not thread.is_alive()
    assert database.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    read()
    assert database.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    database.dispose()
    assert database.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_memo_lasts_until_another_connection_commits(database: Database) -> None:
    with database.autocommit() as pooled:
        assert database.memo(pooled) is None  # not a kept connection
    with database.kept_autocommit() as kept:
        memo = database.memo(kept)
        if not database.is_sqlite:
            assert memo is None  # nothing tells cheaply that PostgreSQL changed
            return
        assert memo is not None
        memo["seen"] = 1
        assert database.memo(kept) is memo
    with database.kept_autocommit() as kept:
        assert database.memo(kept) == {"seen": 1}
    with database.write() as connection:
        create_site(connection, name="Changed", plan="starter", now_ms=0)
    with database.kept_autocommit() as kept:
        assert database.memo(kept) == {}
