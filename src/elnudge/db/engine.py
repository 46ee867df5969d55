"""The Database object: one engine, read and write transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import Connection

from elnudge.db import dialect
from elnudge.db.writers import WriterQueue, writer_queue


class Database:
    """Owns the engine. `read()`, `snapshot()` and `write()` each yield a connection inside one
    transaction; the transaction commits when the block ends and rolls back if it raises.
    `autocommit()` yields one on which every statement is its own transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = dialect.is_sqlite(engine)
        self._writers: WriterQueue | None = writer_queue(engine) if self.is_sqlite else None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """Like `read()`, and every statement sees the same snapshot of the database: a session
        read with its event log always agree, whatever commits in between."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(**dialect.snapshot_options(self.engine))
            with connection.begin():
                yield connection

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """For reads whose statements need no common snapshot (a key lookup, then one page):
        no BEGIN and COMMIT around them, which on PostgreSQL are two round trips each."""
        with self.engine.connect() as connection:
            yield connection.execution_options(**dialect.autocommit_options(self.engine))

    @contextmanager
    def write(self) -> Iterator[Connection]:
        turn = self._writers.turn() if self._writers is not None else nullcontext()
        with turn, self.engine.connect() as connection:
            connection = connection.execution_options(**{dialect.WRITE_OPTION: True})
            with connection.begin():
                yield connection

    def dispose(self) -> None:
        self.engine.dispose()
        if self._writers is not None:
            self._writers.close()


def create_database(url: str) -> Database:
    """A Database for an `ELNUDGE_DATABASE_URL` (postgresql://… or sqlite:///…)."""
    engine = create_engine(
        dialect.engine_url(url), pool_pre_ping=False, connect_args=dialect.connect_args(url)
    )
    if dialect.is_sqlite(engine):
        dialect.configure_sqlite(engine)
    return Database(engine)
