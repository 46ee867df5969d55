"""Bulk loading: COPY on PostgreSQL, batched executemany on SQLite.

Secondary indexes (`ix_*`) are dropped before the load and rebuilt after it: building a B-tree
from sorted input is far faster than maintaining it row by row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import psycopg

from bench.dataset import COLUMNS, Batch

TABLES = ("sessions", "events", "nudges", "nudge_offers")


class Loader:
    """Writes batches to one database; `finish()` rebuilds the indexes and analyses."""

    def __init__(self, backend: str, target: Any) -> None:
        self.backend = backend
        if backend == "postgres":
            self.pg = psycopg.connect(target, autocommit=True)
            self.indexes = [
                row[0]
                for row in self.pg.execute(
                    "SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
                    " AND indexname LIKE 'ix\\_%%'",
                    [list(TABLES)],
                )
            ]
            for name in self._index_names():
                self.pg.execute(f"DROP INDEX {name}")
        else:
            self.lite = sqlite3.connect(target, isolation_level=None)
            self.lite.execute("PRAGMA journal_mode=OFF")
            self.lite.execute("PRAGMA synchronous=OFF")
            self.lite.execute("PRAGMA cache_size=-1000000")
            self.indexes = [
                row[0]
                for row in self.lite.execute(
                    "SELECT sql FROM sqlite_master WHERE type='index' AND name LIKE 'ix\\_%'"
                    " ESCAPE '\\' AND sql IS NOT NULL"
                )
            ]
            for name in self._index_names():
                self.lite.execute(f"DROP INDEX {name}")

    def _index_names(self) -> list[str]:
        return [ddl.split(" ON ")[0].split()[-1] for ddl in self.indexes]

    def write(self, batch: Batch) -> None:
        rows = {
            "sessions": batch.sessions,
            "events": batch.events,
            "nudges": batch.nudges,
            "nudge_offers": batch.offers,
        }
        for table in TABLES:
            if rows[table]:
                self._write(table, rows[table])

    def _write(self, table: str, rows: Iterable[tuple[object, ...]]) -> None:
        columns = COLUMNS[table]
        if self.backend == "postgres":
            with self.pg.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self.lite.execute("BEGIN")
            self.lite.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
            )
            self.lite.execute("COMMIT")

    def finish(self) -> None:
        if self.backend == "postgres":
            for ddl in self.indexes:
                self.pg.execute(ddl)
            self.pg.execute("VACUUM ANALYZE")
            self.pg.close()
        else:
            for ddl in self.indexes:
                self.lite.execute(ddl)
            self.lite.execute("ANALYZE")
            self.lite.execute("PRAGMA journal_mode=WAL")
            self.lite.close()
