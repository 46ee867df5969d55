"""Apply the Alembic migrations: `elnudge db upgrade`, and the server on start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from elnudge.db.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = database.engine
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to `revision` (the newest by default). Safe to run repeatedly."""
    command.upgrade(alembic_config(database), revision)
