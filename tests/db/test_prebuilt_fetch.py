"""`Prebuilt.fetch_all`: reads on the driver's cursor that SQLAlchemy's statement events still
see, and whose driver errors still go through SQLAlchemy's handling."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, event, exc, select

from elnudge.db import Database
from elnudge.db.prebuilt import IN_CHUNK, Prebuilt, PrebuiltIn
from elnudge.db.tables import sites

SITE_NAME = Prebuilt(select(sites.c.name).where(sites.c.site_id == bindparam("site_id")))
# A table no migration creates: reading it is a driver error on both backends.
MISSING = Table("no_such_table", MetaData(), Column("id", Integer), Column("name", String))
FROM_MISSING = Prebuilt(select(MISSING.c.name).where(MISSING.c.id == bindparam("id")))
NAMES_OF = PrebuiltIn(
    lambda member: select(sites.c.site_id, sites.c.name).where(
        member(sites.c.site_id), sites.c.plan == bindparam("plan")
    )
)


def test_rows_are_plain_tuples_and_listeners_see_the_statement(database: Database) -> None:
    seen: list[tuple[str, str]] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(("before", statement))

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(("after", statement))

    event.listen(database.engine, "before_cursor_execute", before)
    event.listen(database.engine, "after_cursor_execute", after)
    try:
        with database.autocommit() as connection:
            rows = SITE_NAME.fetch_all(connection, {"site_id": "site_none"})
    finally:
        event.remove(database.engine, "before_cursor_execute", before)
        event.remove(database.engine, "after_cursor_execute", after)
    assert rows == []
    assert [when for when, _ in seen] == ["before", "after"]
    assert seen[0][1] == seen[1][1] and "FROM sites" in seen[0][1]


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(database: Database) -> None:
    with database.autocommit() as connection, pytest.raises(exc.DBAPIError) as raised:
        FROM_MISSING.fetch_all(connection, {"id": 1})
    assert "no_such_table" in str(raised.value)
    with database.autocommit() as connection:  # the pool hands out working connections
        assert SITE_NAME.fetch_all(connection, {"site_id": "site_none"}) == []


@pytest.mark.parametrize("length", [0, 1, 3, 100, IN_CHUNK + 88])
def test_a_list_read_finds_exactly_the_rows_listed(database: Database, length: int) -> None:
    """An array on PostgreSQL, a padded IN list on SQLite, chunked past IN_CHUNK: either way
    the rows of the listed ids that exist, and none of the others."""
    stored = [f"site_list{index:04d}" for index in range(IN_CHUNK + 100)]
    # Stored and absent ids alternate, a stored one first and (odd lengths) last.
    wanted = [stored[i] if i % 2 == 0 else f"site_absent{i}" for i in range(length)]
    with database.engine.connect() as connection, connection.begin() as transaction:
        connection.execute(
            sites.insert(),
            [
                {
                    "site_id": site_id,
                    "name": site_id.upper(),
                    "plan": "growth",
                    "cursor_secret": "x",
                    "created_at": 0,
                }
                for site_id in stored
            ],
        )
        rows = NAMES_OF.fetch_all(connection, wanted, plan="growth")
        transaction.rollback()
    assert sorted(row.site_id for row in rows) == sorted(wanted[::2])
    assert all(row.name == row.site_id.upper() for row in rows)


def test_a_value_listed_twice_finds_its_row_once(database: Database) -> None:
    """PostgreSQL probes once per listed value, so the list is made distinct first."""
    stored = ["site_twice0", "site_twice1"]
    with database.engine.connect() as connection, connection.begin() as transaction:
        connection.execute(
            sites.insert(),
            [
                {
                    "site_id": site_id,
                    "name": "",
                    "plan": "growth",
                    "cursor_secret": "",
                    "created_at": 0,
                }
                for site_id in stored
            ],
        )
        rows = NAMES_OF.fetch_all(connection, [*stored, stored[0], "site_absent"], plan="growth")
        transaction.rollback()
    assert sorted(row.site_id for row in rows) == stored
