"""Migration 0002 (visitor context, allowed origins) upgrades and downgrades on both backends."""

from __future__ import annotations

from sqlalchemy import inspect

from elnudge.db import create_database
from elnudge.db.migrate import alembic_config, upgrade


def _columns(database_url: str, table: str) -> set[str]:
    database = create_database(database_url)
    try:
        return {column["name"] for column in inspect(database.engine).get_columns(table)}
    finally:
        database.dispose()


def test_0002_adds_and_removes_its_columns(fresh_database_url: str) -> None:
    from alembic import command

    database = create_database(fresh_database_url)
    try:
        upgrade(database, "0002")
        assert {"browser", "os", "device"} <= _columns(fresh_database_url, "sessions")
        assert "allowed_origins" in _columns(fresh_database_url, "sites")
        command.downgrade(alembic_config(database), "0001")
        assert "browser" not in _columns(fresh_database_url, "sessions")
        assert "allowed_origins" not in _columns(fresh_database_url, "sites")
        upgrade(database)
        assert "device" in _columns(fresh_database_url, "sessions")
    finally:
        database.dispose()
