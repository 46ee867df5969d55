"""The webhook worker: claims due deliveries, sends them, records the outcome.

- Several workers (API processes, `elnudge webhooks worker`) may run at once: a claim takes
  rows with SKIP LOCKED on PostgreSQL (SQLite: one writer) and leases them (longer than their
  attempts can take), so each
  delivery is sent by one worker at a time; a worker killed mid-send leaves a lease that
  expires, and the delivery is sent again (at least once; receivers de-duplicate by event id).
- A failure is retried with exponential backoff (`retry_delay_ms`) until 24 hours after the
  event, then the delivery is failed. An endpoint whose attempts have all failed for 3 days
  is disabled; its pending deliveries are failed.
- Time comes from the injected clock, so tests move it instead of waiting.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from elnudge.clock import Clock
from elnudge.db import Database
from elnudge.runtime import Runtime
from elnudge.webhooks import repository
from elnudge.webhooks.events import WebhookEvent
from elnudge.webhooks.repository import FAILED, SUCCEEDED
from elnudge.webhooks.sender import TIMEOUT_SECONDS, attempt, new_http_client

logger = logging.getLogger("elnudge.webhooks")

SECOND_MS = 1000
HOUR_MS = 3600 * SECOND_MS
FIRST_RETRY_MS = 30 * SECOND_MS
MAX_RETRY_MS = 2 * HOUR_MS
GIVE_UP_AFTER_MS = 24 * HOUR_MS
DISABLE_AFTER_MS = 72 * HOUR_MS
BATCH = 5
# A claim lasts longer than its batch's attempts can take (each at most TIMEOUT_SECONDS).
LEASE_PER_DELIVERY_MS = int(TIMEOUT_SECONDS + 1) * SECOND_MS
IDLE_SECONDS = 1.0


def retry_delay_ms(attempts: int) -> int:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, 4 min, … doubling
    up to 2 hours."""
    return int(min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS))


@dataclass
class Worker:
    database: Database
    clock: Clock
    allow_local: bool = False
    http: httpx.Client | None = None

    def run_once(self, limit: int = BATCH) -> int:
        """Send every due delivery (up to `limit`); how many were attempted."""
        now = self.clock.now_ms()
        with self.database.write() as connection:
            claimed = repository.claim_due(connection, now, LEASE_PER_DELIVERY_MS * limit, limit)
        if not claimed:  # the idle poll, every second in every worker, builds no HTTP client:
            return 0  # its TLS context took 5% of a busy API worker's CPU (bench/RESULTS.md)
        http = self.http or new_http_client()
        try:
            for delivery in claimed:
                self._deliver(http, delivery)
        finally:
            if self.http is None:
                http.close()
        return len(claimed)

    def _deliver(self, http: httpx.Client, delivery: Any) -> None:
        if delivery["disabled_at"] is not None:
            self._record(delivery, ok=False, status=None, error="endpoint disabled", final=True)
            return
        now = self.clock.now_ms()
        secrets = [delivery["secret"]]
        if delivery["previous_secret"] and (delivery["previous_until"] or 0) > now:
            secrets.append(delivery["previous_secret"])
        result = attempt(
            http,
            url=delivery["url"],
            payload=delivery["payload"],
            event_id=delivery["event_id"],
            secrets=secrets,
            allow_local=self.allow_local,
        )
        self._record(delivery, ok=result.ok, status=result.status, error=result.error)

    def _record(
        self, delivery: Any, *, ok: bool, status: int | None, error: str | None, final: bool = False
    ) -> None:
        now = self.clock.now_ms()
        site_id, endpoint_id = delivery["site_id"], delivery["endpoint_id"]
        attempts = delivery["attempts"] + 1
        values: dict[str, Any] = {
            "last_attempt_at": now,
            "last_status": status,
            "last_error": error,
        }
        if ok:
            values.update(status=SUCCEEDED, finished_at=now)
        else:
            next_at = now + retry_delay_ms(attempts)
            if final or next_at > delivery["created_at"] + GIVE_UP_AFTER_MS:
                values.update(status=FAILED, finished_at=now)
            else:
                values["next_attempt_at"] = next_at
        with self.database.write() as connection:
            repository.finish_attempt(connection, site_id, delivery["delivery_id"], **values)
            if "finished_at" in values and delivery["event"] == WebhookEvent.APP_UNINSTALLED:
                repository.forget_deleted_site(connection, site_id)
            endpoint = repository.get_endpoint(connection, site_id, endpoint_id)
            if endpoint is None or final:
                return
            if ok:
                if endpoint["failing_since"] is not None:
                    repository.update_endpoint(connection, site_id, endpoint_id, failing_since=None)
            elif endpoint["failing_since"] is None:
                repository.update_endpoint(connection, site_id, endpoint_id, failing_since=now)
            elif now - endpoint["failing_since"] >= DISABLE_AFTER_MS:
                repository.update_endpoint(connection, site_id, endpoint_id, disabled_at=now)
                logger.warning("webhooks.endpoint_disabled %s", endpoint_id)
        logger.info(
            "webhooks.attempt %s %s", delivery["delivery_id"], "ok" if ok else (error or "failed")
        )

    def run_forever(self, stop: threading.Event) -> None:
        """Work until `stop` is set; sleeps IDLE_SECONDS when nothing is due."""
        while not stop.is_set():
            try:
                sent = self.run_once()
            except Exception:  # a database hiccup must not end the loop
                logger.exception("webhooks.worker_error")
                sent = 0
            if not sent:
                stop.wait(IDLE_SECONDS)


@contextmanager
def worker_thread(runtime: Runtime) -> Iterator[Worker]:
    """A worker running in a daemon thread until the block ends (the server's lifespan)."""
    worker = Worker(runtime.database, runtime.clock, runtime.settings.webhooks_allow_local)
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_forever, args=(stop,), name="elnudge-webhooks", daemon=True
    )
    thread.start()
    try:
        yield worker
    finally:
        stop.set()
        thread.join(timeout=TIMEOUT_SECONDS + 5)
