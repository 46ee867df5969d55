"""Storage: tables, the engine and its dialect differences, and migrations."""

from elnudge.db.engine import Database, create_database

__all__ = ["Database", "create_database"]
