"""On PostgreSQL, ingestion's list reads probe their index once per listed value, even on a
table that was never analysed (docs/ingestion.md, "Lists probe by value").

As `column = ANY(array)`, a table without statistics had the planner match the site's prefix
of the index and filter every one of the site's rows against the array: the duplicate check of
each batch read the site's whole history (a quarter of a second per batch at 60k events)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from elnudge.db import Database, create_database
from elnudge.db.migrate import upgrade
from elnudge.db.tables import events
from elnudge.events import repository
from tests.conftest import postgres_database_url

SITE = "site_plans"
STORED = 3000  # the site's events: the old plan filtered all of them


@pytest.fixture
def unanalysed() -> Iterator[Database]:
    """A migrated PostgreSQL database of its own whose events table has no statistics."""
    urls = postgres_database_url()
    database = create_database(next(urls))
    upgrade(database)
    with database.write() as connection:
        connection.exec_driver_sql("ALTER TABLE events SET (autovacuum_enabled = false)")
        connection.execute(events.insert(), [_event(index) for index in range(STORED)])
    yield database
    database.dispose()
    next(urls, None)


def _event(index: int) -> dict[str, Any]:
    return {
        "site_id": SITE,
        "event_id": f"evt_{index:06d}",
        "mode": "live",
        "session_id": f"sess_{index // 10:05d}",
        "client_key": f"key_{index // 10:05d}",
        "client_event_id": f"client_{index:06d}",
        "id_scope": "secret",
        "visitor_id": None,
        "type": "page_view",
        "occurred_at": index,
        "url": "/",
        "data": "{}",
        "intent_score": 0,
        "received_at": index,
    }


def _plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _plan_nodes(child)


def _explained(database: Database, read: Any) -> list[dict[str, Any]]:
    """Run `read(connection)` six times (psycopg prepares a statement once it has run five
    times, and the server may then keep a generic plan), then EXPLAIN ANALYZE the statement the
    seventh run sent, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        sent.append((statement, parameters))

    with database.write() as connection:
        assert connection.exec_driver_sql(
            "SELECT last_analyze IS NULL AND last_autoanalyze IS NULL"
            " FROM pg_stat_user_tables WHERE relname = 'events'"
        ).scalar_one()
        for _ in range(6):
            read(connection)
        event.listen(connection, "before_cursor_execute", remember)
        read(connection)
        event.remove(connection, "before_cursor_execute", remember)
        statement, parameters = sent[-1]
        explained = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters
        ).scalar_one()
    return list(_plan_nodes(explained[0]["Plan"]))


@pytest.mark.parametrize("share_stored", [0.0, 0.5, 1.0])
def test_the_duplicate_check_reads_only_the_listed_ids(
    unanalysed: Database, share_stored: float
) -> None:
    listed = [
        f"client_{index * 29:06d}" if index < 100 * share_stored else f"new_{index}"
        for index in range(100)
    ]

    def read(connection: Any) -> set[str]:
        return repository.known_client_event_ids(connection, SITE, "live", "secret", listed)

    with unanalysed.write() as connection:
        assert read(connection) == {value for value in listed if value.startswith("client_")}
    nodes = _explained(unanalysed, read)
    assert not any(node.get("Rows Removed by Filter") for node in nodes)
    scans = [node for node in nodes if node.get("Relation Name") == "events"]
    assert scans and all(node["Node Type"].startswith("Index") for node in scans)
    assert sum(node["Actual Rows"] * node["Actual Loops"] for node in scans) <= len(listed)
