"""SQLite's writers queue for the database (`db/writers.py`): threads on a lock, processes on
an flock of the file beside the database."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import text

from elnudge.db import create_database
from elnudge.db.writers import writer_queue


def _counter_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    database = create_database(url)
    with database.write() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    database.dispose()
    return url


def test_a_writer_waits_for_the_turn_another_process_holds(tmp_path: Path) -> None:
    url = _counter_database(tmp_path / "shop.db")
    database = create_database(url)
    entered = threading.Event()

    def write() -> None:
        with database.write() as connection:
            entered.set()
            connection.execute(text("UPDATE counter SET n = n + 1"))

    # Another process's turn, as the kernel sees it: another open file holding the flock.
    holder = os.open(tmp_path / "shop.db-writers", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not entered.wait(0.5)  # queued on the flock, not inside a transaction
    finally:
        fcntl.flock(holder, fcntl.LOCK_UN)
        os.close(holder)
    writer.join(timeout=30)
    assert entered.is_set() and not writer.is_alive()
    with database.read() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 1
    database.dispose()


_INCREMENTS = """
import sys, threading
from sqlalchemy import text
from elnudge.db import create_database
database = create_database(sys.argv[1])
def work():
    for _ in range(50):
        with database.write() as connection:
            n = connection.execute(text("SELECT n FROM counter")).scalar_one()
            connection.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
threads = [threading.Thread(target=work) for _ in range(4)]
for thread in threads: thread.start()
for thread in threads: thread.join()
"""


def test_processes_and_threads_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    """A read then a write in each transaction: any two writers inside at once would lose an
    increment (or fail on SQLite's lock)."""
    url = _counter_database(tmp_path / "shop.db")
    workers = [
        subprocess.Popen([sys.executable, "-c", _INCREMENTS, url], stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors.decode()
    database = create_database(url)
    with database.read() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 3 * 4 * 50
    database.dispose()


def test_an_in_memory_database_has_no_file_to_queue_on() -> None:
    database = create_database("sqlite://")
    assert writer_queue(database.engine)._lock_path is None
    with database.write() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    database.dispose()


def test_a_queue_file_that_cannot_be_made_leaves_sqlite_to_queue_writers(tmp_path: Path) -> None:
    url = _counter_database(tmp_path / "shop.db")
    (tmp_path / "shop.db-writers").unlink()  # made by the first write
    (tmp_path / "shop.db-writers").mkdir()  # the path is taken by a folder: os.open fails
    database = create_database(url)
    with database.write() as connection:
        connection.execute(text("UPDATE counter SET n = n + 1"))
    with database.read() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 1
    database.dispose()


def test_disposing_of_the_database_closes_its_queue_file(tmp_path: Path) -> None:
    url = _counter_database(tmp_path / "shop.db")
    database = create_database(url)
    with database.write() as connection:
        connection.execute(text("UPDATE counter SET n = n + 1"))
    lock_file = database._writers._lock_file  # type: ignore[union-attr]
    assert lock_file is not None
    database.dispose()
    try:
        os.fstat(lock_file)
    except OSError:
        pass
    else:
        raise AssertionError("the queue file is still open after dispose()")
