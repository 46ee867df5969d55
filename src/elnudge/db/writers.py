"""SQLite's writers, queued rather than polling.

SQLite lets one transaction write at a time. A writer that finds the database locked waits in
SQLite's busy handler, which sleeps and retries (1, 2, 5 … up to 100 ms between tries), so under
load a writer can sleep on long after the lock is free, and the last in line may be overtaken
again and again: with two server processes each ingesting, one batch in a hundred waited
0.8 s (bench/RESULTS.md, "Write path"). Here writers queue instead: the threads of a process on
a lock, and the processes on an exclusive `flock` of a file beside the database
(`<database>-writers`), which the kernel hands to the next waiter the moment it is released.
A writer that does not take part (another program) still meets SQLite's busy timeout.
PostgreSQL needs none of this: its row and advisory locks queue by themselves.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine


class WriterQueue:
    """One per Database on SQLite: `turn()` holds the database's write turn for a block."""

    def __init__(self, lock_path: str | None) -> None:
        self._threads = threading.Lock()
        self._lock_path = lock_path  # None: an in-memory database, private to this process
        self._lock_file: int | None = None
        self._opened_by: int | None = None  # the process that opened it (a fork reopens)

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._threads:
            lock_file = self._file()
            if lock_file is None:
                yield
                return
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close this process's queue file (the Database is being disposed of)."""
        with self._threads:
            if self._lock_file is not None and self._opened_by == os.getpid():
                os.close(self._lock_file)
            self._lock_file = self._opened_by = None

    def _file(self) -> int | None:
        if self._lock_path is None:
            return None
        if self._lock_file is None or self._opened_by != os.getpid():
            # After a fork the inherited descriptor shares its lock with the parent's, so it
            # would not keep the two apart: each process opens its own.
            try:
                self._lock_file = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a folder we may not write in: SQLite's busy timeout alone
                self._lock_path = None
                return None
            self._opened_by = os.getpid()
        return self._lock_file


def writer_queue(engine: Engine) -> WriterQueue:
    """The queue of an SQLite engine's database file."""
    database = engine.url.database or ":memory:"
    if database == ":memory:" or "mode=memory" in database or database.startswith("file::memory:"):
        return WriterQueue(None)
    return WriterQueue(os.path.abspath(database) + "-writers")
