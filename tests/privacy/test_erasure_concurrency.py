"""Erasure while the same visitor's events keep arriving, on both backends: afterwards the
visitor has either nothing or only batches that arrived after the erasure, whole, and every
stored session equals a recomputation from its events (never half a session)."""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from elnudge.app import create_app
from elnudge.db.tables import events, sessions
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.timestamps import format_timestamp_ms
from tests.reliability.test_concurrency import check_sessions
from tests.storefront import add_to_cart, page_view

BATCHES = 30
EVENTS_PER_BATCH = 4
VISITOR = "cust_busy"


def batch(index: int, start_ms: int) -> list[dict[str, Any]]:
    """Batch `index`: events a minute apart, all in one client key's session."""
    made = []
    for offset in range(EVENTS_PER_BATCH):
        at = format_timestamp_ms(start_ms + (index * EVENTS_PER_BATCH + offset) * 60_000)
        options = {"session": "ses_busy", "visitor": VISITOR, "event_id": f"b{index}_{offset}"}
        builder = add_to_cart if offset == EVENTS_PER_BATCH - 1 else page_view
        made.append(
            builder(at, **options) if builder is add_to_cart else page_view(at, "/p", **options)
        )
    return made


def test_erasure_during_ingestion_never_leaves_half_a_session(
    runtime: Runtime, site: CreatedSite
) -> None:
    start_ms = runtime.clock.now_ms() - 3 * 24 * 3600 * 1000
    headers = {"Authorization": f"Bearer {site.secret_key_live}"}
    failures: list[str] = []
    acknowledged: list[int] = []
    erased_after: list[int] = []  # how many batches were acknowledged when the erasure returned

    def ingest() -> None:
        with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
            for index in range(BATCHES):
                body = {"events": batch(index, start_ms)}
                response = client.post("/v1/events", headers=headers, json=body)
                if response.status_code != 200:
                    failures.append(response.text)
                acknowledged.append(index)

    def erase() -> None:
        with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
            while len(acknowledged) < BATCHES // 3:
                threading.Event().wait(0.005)
            before = len(acknowledged)
            response = client.delete(f"/v1/visitors/{VISITOR}", headers=headers)
            if response.status_code != 200 or response.json()["sessions"] != 1:
                failures.append(response.text)
            erased_after.extend([before, len(acknowledged)])

    threads = [threading.Thread(target=ingest), threading.Thread(target=erase)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []

    with runtime.database.read() as connection:
        session_rows = list(
            connection.execute(
                select(sessions).where(sessions.c.site_id == site.site_id)
            ).mappings()
        )
        event_rows = list(
            connection.execute(select(events).where(events.c.site_id == site.site_id)).mappings()
        )
    remaining = sorted({int(row["client_event_id"][1:].split("_")[0]) for row in event_rows})
    # What is left is whole batches, and exactly a run of the last ones: each arrived after
    # the erasure (those acknowledged before it started are gone).
    assert len(event_rows) == len(remaining) * EVENTS_PER_BATCH
    assert remaining == list(range(BATCHES - len(remaining), BATCHES))
    assert BATCHES - len(remaining) >= erased_after[0]
    assert BATCHES - len(remaining) <= erased_after[1] + 1
    check_sessions(session_rows, event_rows)
    assert len(session_rows) <= 1
