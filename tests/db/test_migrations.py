"""Migrations are the source of truth: they build exactly the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from elnudge.db import create_database, dialect
from elnudge.db.migrate import upgrade
from elnudge.db.tables import metadata


def test_migrations_match_the_tables_and_can_run_twice(fresh_database_url: str) -> None:
    database = create_database(fresh_database_url)
    try:
        upgrade(database)
        upgrade(database)
        with database.engine.connect() as connection:
            # Full-text search objects are built by the migration alone (see dialect.py).
            context = MigrationContext.configure(
                connection,
                opts={"include_name": lambda name, *_: name not in dialect.FULL_TEXT_OBJECTS},
            )
            assert compare_metadata(context, metadata) == []
            tables = set(inspect(connection).get_table_names())
        assert {"sites", "api_keys", "sessions", "events", "nudges"} <= tables
    finally:
        database.dispose()


def test_every_tenant_table_is_keyed_by_site(fresh_database_url: str) -> None:
    database = create_database(fresh_database_url)
    try:
        upgrade(database)
        inspector = inspect(database.engine)
        for table in ("sites", "api_keys", "sessions", "events", "nudges"):
            assert inspector.get_pk_constraint(table)["constrained_columns"][0] == "site_id"
    finally:
        database.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    database = create_database(f"sqlite:///{tmp_path}/wal.db")
    try:
        with database.read() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        database.dispose()
