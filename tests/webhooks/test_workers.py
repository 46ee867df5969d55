"""The worker as a real process (`elnudge webhooks worker`): killed mid-queue and restarted, it
delivers every queued event; two of them deliver each event exactly once (on PostgreSQL, as
two API processes would, with SKIP LOCKED)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from elnudge.db.tables import webhook_deliveries
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.webhooks import EVENT_ID_HEADER, service
from tests.webhooks.receiver import Receiver, receiver

ELNUDGE = str(Path(sys.executable).with_name("elnudge"))
WAIT_SECONDS = 120  # a killed worker's claims expire after their lease (30 s)


@contextmanager
def worker_process(database_url: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "ELNUDGE_DATABASE_URL": database_url,
        "ELNUDGE_WEBHOOKS_ALLOW_LOCAL": "true",
    }
    process = subprocess.Popen(
        [ELNUDGE, "webhooks", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def queue_pings(runtime: Runtime, site: CreatedSite, url: str, count: int) -> set[str]:
    with runtime.database.write() as connection:
        endpoint = service.create_endpoint(
            connection, site.site_id, url=url, events=[], allow_local=True, now_ms=1
        )
        return {
            service.send_test(connection, endpoint.endpoint_id, runtime.clock.now_ms())
            for _ in range(count)
        }


def pending(runtime: Runtime, site_id: str) -> int:
    with runtime.database.read() as connection:
        count: int = connection.execute(
            select(func.count())
            .select_from(webhook_deliveries)
            .where(
                webhook_deliveries.c.site_id == site_id, webhook_deliveries.c.status != "succeeded"
            )
        ).scalar_one()
        return count


def wait_until(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def received_ids(hooks: Receiver) -> Counter[str]:
    return Counter(request.headers[EVENT_ID_HEADER] for request in list(hooks.received))


def test_a_killed_worker_restarted_delivers_everything(
    runtime: Runtime, site: CreatedSite, database_url: str
) -> None:
    with receiver() as hooks:
        hooks.default = ("hang", 0.05)  # slow enough to kill it mid-queue
        queued = queue_pings(runtime, site, hooks.url, 30)
        with worker_process(database_url) as first:
            wait_until(lambda: len(hooks.received) >= 5, "the first deliveries")
            first.send_signal(signal.SIGKILL)
        assert pending(runtime, site.site_id) > 0  # it died with work left
        with worker_process(database_url):
            wait_until(lambda: pending(runtime, site.site_id) == 0, "every delivery")
        assert set(received_ids(hooks)) == queued


def test_two_workers_deliver_each_event_once(
    runtime: Runtime, site: CreatedSite, database_url: str
) -> None:
    """PostgreSQL: claims with SKIP LOCKED; SQLite: one writer at a time."""
    with receiver() as hooks:
        queued = queue_pings(runtime, site, hooks.url, 60)
        with worker_process(database_url), worker_process(database_url):
            wait_until(lambda: pending(runtime, site.site_id) == 0, "every delivery")
        assert received_ids(hooks) == Counter(dict.fromkeys(queued, 1))
