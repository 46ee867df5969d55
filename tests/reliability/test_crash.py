"""Crash safety: the real server as a subprocess, 250-event batches from 6 concurrent senders,
SIGKILL mid-stream, restart, client retries with the same event ids. Every acknowledged event is
stored exactly once.

ELNUDGE_CRASH_CYCLES (default 3) kill/restart cycles per backend in CI; a long run:
    ELNUDGE_CRASH_CYCLES=50 .venv/bin/pytest tests/reliability/test_crash.py
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from elnudge.db import create_database
from elnudge.db.tables import events, sessions
from elnudge.provisioning import create_site
from elnudge.timestamps import format_timestamp_ms
from tests.reliability.test_concurrency import check_sessions
from tests.storefront import page_view

CYCLES = int(os.environ.get("ELNUDGE_CRASH_CYCLES", "3"))
SENDERS = 6
BATCH = 250
ACKS_BEFORE_KILL = 12  # batches acknowledged in a cycle before the kill (3,000 events)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, url: str) -> None:
        self.url = url
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "ELNUDGE_DATABASE_URL": self.url}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "elnudge.server:app_from_environment",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):  # up to 30 s to come up
            try:
                httpx.get(f"{self.base}/healthz", timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    running = Server(database_url)
    yield running
    if running.process is not None and running.process.poll() is None:
        running.kill()


class Load:
    """Batches of events with fixed ids; a batch is done once the server acknowledged it."""

    def __init__(self, key: str, total_batches: int) -> None:
        now = int(time.time() * 1000)
        self.headers = {"Authorization": f"Bearer {key}"}
        self.pending = list(range(total_batches))
        self.acked: set[int] = set()
        self.lock = threading.Lock()
        self.batches = [
            [
                page_view(
                    format_timestamp_ms(now - 3_600_000 + batch * BATCH + i),
                    f"/p/{i % 7}",
                    session=f"ses_{(batch * BATCH + i) % 97}",
                    event_id=f"b{batch}e{i}",
                )
                for i in range(BATCH)
            ]
            for batch in range(total_batches)
        ]

    def take(self) -> int | None:
        with self.lock:
            return self.pending.pop(0) if self.pending else None

    def give_back(self, batch: int) -> None:
        with self.lock:
            self.pending.insert(0, batch)

    def send(self, base: str, stop: threading.Event) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                batch = self.take()
                if batch is None:
                    return
                try:
                    response = client.post(
                        "/v1/events", headers=self.headers, json={"events": self.batches[batch]}
                    )
                except httpx.HTTPError:
                    self.give_back(batch)  # not acknowledged: retried after the restart
                    return
                if response.status_code != 200:
                    self.give_back(batch)
                    return
                with self.lock:
                    self.acked.add(batch)


def run_cycle(server: Server, load: Load, kill_after: int | None) -> None:
    server.start()
    started = time.monotonic()
    stop = threading.Event()
    threads = [threading.Thread(target=load.send, args=(server.base, stop)) for _ in range(SENDERS)]
    acked_before = len(load.acked)
    for thread in threads:
        thread.start()
    if kill_after is not None:
        while len(load.acked) < acked_before + kill_after and any(t.is_alive() for t in threads):
            time.sleep(0.005)
        server.kill()  # while the senders still have batches in flight
        rate = (len(load.acked) - acked_before) * BATCH / (time.monotonic() - started)
        print(f"crash cycle: {rate:.0f} events/s acknowledged before the kill")  # informative
    for thread in threads:
        thread.join()
    if kill_after is None:
        server.kill()


def test_acknowledged_events_survive_sigkill(database_url: str, server: Server) -> None:
    database = create_database(database_url)
    with database.write() as connection:
        site = create_site(connection, name="Crash", plan="starter", now_ms=int(time.time() * 1000))
    load = Load(site.secret_key_live, total_batches=(CYCLES + 1) * ACKS_BEFORE_KILL + SENDERS)
    for _ in range(CYCLES):
        run_cycle(server, load, kill_after=ACKS_BEFORE_KILL)
        check(database, site.site_id, load, complete=False)
    run_cycle(server, load, kill_after=None)  # the retries: everything is delivered
    check(database, site.site_id, load, complete=True)
    database.dispose()
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        with sqlite3.connect(str(url.database)) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def check(database: Any, site_id: str, load: Load, *, complete: bool) -> None:
    acked = {event["event_id"] for batch in load.acked for event in load.batches[batch]}
    with database.read() as connection:
        stored = dict(
            connection.execute(
                select(events.c.client_event_id, func.count())
                .where(events.c.site_id == site_id)
                .group_by(events.c.client_event_id)
            ).all()
        )
        session_rows = list(
            connection.execute(select(sessions).where(sessions.c.site_id == site_id)).mappings()
        )
        event_rows = list(
            connection.execute(select(events).where(events.c.site_id == site_id)).mappings()
        )
    assert acked <= set(stored), "an acknowledged event was lost"
    assert set(stored.values()) <= {1}, "an event was stored twice"
    if complete:
        assert len(stored) == sum(len(batch) for batch in load.batches)
    check_sessions(session_rows, event_rows)
