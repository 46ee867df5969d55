"""The Database object: one engine, read and write transactions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from elnudge.db import dialect
from elnudge.db.writers import WriterQueue, writer_queue


class Database:
    """Owns the engine. `read()`, `snapshot()` and `write()` each yield a connection inside one
    transaction; the transaction commits when the block ends and rolls back if it raises.
    `autocommit()` yields one on which every statement is its own transaction;
    `kept_autocommit()` the same on a connection its thread keeps."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = dialect.is_sqlite(engine)
        self._writers: WriterQueue | None = writer_queue(engine) if self.is_sqlite else None
        # An in-memory SQLite database has one connection per thread, or one in all: no pool
        # to keep a connection out of.
        self._keeps = not isinstance(engine.pool, SingletonThreadPool | StaticPool)
        self._kept: dict[threading.Thread, _Kept] = {}
        self._kept_lock = threading.Lock()

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
    def kept_autocommit(self) -> Iterator[Connection]:
        """`autocommit()` on a connection that the calling thread keeps from one call to the
        next, so a call costs no pool checkout and check-in (nor, on PostgreSQL, the isolation
        level set and reset around them): for the API's hot read routes, which run on the
        event loop's thread one at a time and never await while they read.

        Between calls the connection holds no transaction, so it sees every commit and holds
        back no checkpoint or vacuum. An SQLAlchemy error inside the block discards it (it may
        be broken); a nested call, or one on a database without a pool, gets `autocommit()`.
        A thread's connection returns to the pool after the thread has ended, when the next
        one is kept, or on `dispose()`."""
        kept = self._kept.get(threading.current_thread()) if self._keeps else None
        if not self._keeps or (kept is not None and kept.busy):
            with self.autocommit() as connection:
                yield connection
            return
        if kept is None or kept.connection.invalidated or kept.connection.closed:
            kept = self._keep_new()
        kept.busy = True
        broken = False
        try:
            yield kept.connection
        except SQLAlchemyError:
            broken = True
            raise
        finally:
            kept.busy = False
            self._end_call(kept, broken)

    def memo(self, connection: Connection) -> dict[str, Any] | None:
        """A dictionary for remembering what was read on `connection` for as long as nothing
        in the database has changed: on SQLite, for the calling thread's kept connection
        (`kept_autocommit`), emptied whenever another connection, of any process, has committed
        since the last time it was asked (`PRAGMA data_version`, which counts exactly that).
        None on PostgreSQL, where nothing says so without a round trip, and for any other
        connection. The kept connection only reads: its own writes would not count."""
        kept = self._kept.get(threading.current_thread()) if self.is_sqlite else None
        if kept is None or kept.connection is not connection:
            return None
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            version = cursor.execute("PRAGMA data_version").fetchone()[0]
        finally:
            cursor.close()
        if version != kept.version:
            kept.version = version
            kept.memo = {}
        return kept.memo

    def _end_call(self, kept: _Kept, broken: bool) -> None:
        """End SQLAlchemy's autobegun transaction (no round trip: the driver has none open);
        a connection that failed, or fails to, is not kept."""
        if not broken:
            try:
                kept.connection.rollback()
                return
            except SQLAlchemyError:
                pass
        self._forget(kept)

    def _keep_new(self) -> _Kept:
        connection = self.engine.connect()
        kept = _Kept(connection.execution_options(**dialect.autocommit_options(self.engine)))
        thread = threading.current_thread()
        with self._kept_lock:
            for other, other_kept in list(self._kept.items()):
                if other is thread or not other.is_alive():
                    del self._kept[other]
                    other_kept.connection.close()
            self._kept[thread] = kept
        return kept

    def _forget(self, kept: _Kept) -> None:
        with self._kept_lock:
            for thread, other in list(self._kept.items()):
                if other is kept:
                    del self._kept[thread]
        kept.connection.close()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        turn = self._writers.turn() if self._writers is not None else nullcontext()
        with turn, self.engine.connect() as connection:
            connection = connection.execution_options(**{dialect.WRITE_OPTION: True})
            with connection.begin():
                yield connection

    def dispose(self) -> None:
        with self._kept_lock:
            kept, self._kept = list(self._kept.values()), {}
        for each in kept:
            each.connection.close()
        self.engine.dispose()
        if self._writers is not None:
            self._writers.close()


class _Kept:
    """A thread's kept connection, whether a call is using it now, and its memo (valid while
    SQLite's data_version is `version`)."""

    __slots__ = ("busy", "connection", "memo", "version")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.busy = False
        self.memo: dict[str, Any] = {}
        self.version: int | None = None


def create_database(url: str) -> Database:
    """A Database for an `ELNUDGE_DATABASE_URL` (postgresql://… or sqlite:///…)."""
    engine = create_engine(
        dialect.engine_url(url), pool_pre_ping=False, connect_args=dialect.connect_args(url)
    )
    if dialect.is_sqlite(engine):
        dialect.configure_sqlite(engine)
    return Database(engine)
