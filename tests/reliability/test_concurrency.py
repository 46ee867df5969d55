"""8 concurrent writers deliver the same events 1-5 times each, in random order, into the same
sessions: each event is stored once and every session equals a recomputation from its events."""

from __future__ import annotations

import random
import threading
from typing import Any

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from elnudge.app import create_app
from elnudge.db.tables import events, sessions
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.sessions.sessionize import INACTIVITY_MS as GAP
from elnudge.sessions.summary import summarize
from elnudge.timestamps import format_timestamp_ms
from elnudge.vocabulary import Event
from tests.storefront import add_to_cart, page_view, purchase

WRITERS = 8
CLIENT_KEYS = 10
EVENTS_PER_KEY = 40


def all_events(rng: random.Random, now_ms: int) -> list[dict[str, Any]]:
    made = []
    for key_index in range(CLIENT_KEYS):
        at = now_ms - rng.randrange(3 * 3600) * 1000
        for index in range(EVENTS_PER_KEY):
            at += rng.choice([1000, 60_000, 5 * 60_000, 40 * 60_000])  # some gaps split sessions
            options = {"session": f"ses_c{key_index}", "event_id": f"c{key_index}_{index}"}
            ts = format_timestamp_ms(min(at, now_ms))
            builder = rng.choice([page_view, page_view, add_to_cart, purchase])
            made.append(
                builder(ts, f"/p/{index % 5}", **options)
                if builder is page_view
                else builder(ts, **options)
            )
    return made


def deliveries(rng: random.Random, made: list[dict[str, Any]]) -> list[list[list[Any]]]:
    """For each writer: batches holding every event 1-5 times, shuffled."""
    plans = []
    for _ in range(WRITERS):
        stream = [event for event in made for _ in range(rng.randint(1, 5))]
        rng.shuffle(stream)
        batches, start = [], 0
        while start < len(stream):
            size = rng.randint(1, 40)
            batches.append(stream[start : start + size])
            start += size
        plans.append(batches)
    return plans


def test_concurrent_duplicate_deliveries(runtime: Runtime, site: CreatedSite) -> None:
    rng = random.Random(6)
    made = all_events(rng, runtime.clock.now_ms())
    plans = deliveries(rng, made)
    headers = {"Authorization": f"Bearer {site.secret_key_live}"}
    failures: list[str] = []
    barrier = threading.Barrier(WRITERS)

    def writer(batches: list[list[Any]]) -> None:
        with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
            barrier.wait()
            for batch in batches:
                response = client.post("/v1/events", headers=headers, json={"events": batch})
                if response.status_code != 200:
                    failures.append(response.text)

    threads = [threading.Thread(target=writer, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    check_stored_once_and_consistent(runtime, site.site_id, {e["event_id"] for e in made})


def check_stored_once_and_consistent(runtime: Runtime, site_id: str, expected: set[str]) -> None:
    with runtime.database.read() as connection:
        counts: dict[str, int] = dict(
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
    assert counts == dict.fromkeys(expected, 1)
    check_sessions(session_rows, event_rows)


def check_sessions(session_rows: list[Any], event_rows: list[Any]) -> None:
    """Every session's stored fields equal `summarize` over its stored events, sorted like
    ingestion sorts them; every event belongs to a stored session."""
    by_session: dict[str, list[Any]] = {}
    for row in event_rows:
        by_session.setdefault(row["session_id"], []).append(row)
    assert set(by_session) == {row["session_id"] for row in session_rows}
    assert_grouping_is_gap_based(event_rows)
    for row in session_rows:
        members = sorted(
            by_session[row["session_id"]],
            key=lambda e: (
                e["occurred_at"],
                e["client_event_id"] or "",
                e["type"],
                e["url"],
                e["event_id"],
            ),
        )
        summary = summarize(
            [
                Event(
                    type=e["type"],
                    occurred_at=e["occurred_at"],
                    url=e["url"],
                    data=orjson.loads(e["data"]),
                )
                for e in members
            ]
        )
        stored = {
            key: row[key]
            for key in ("started_at", "ended_at", "page_count", "intent_score", "nudge_count")
        }
        stored["converted"] = bool(row["converted"])
        stored["event_count"] = row["event_count"]
        assert stored == {
            "started_at": summary.started_at,
            "ended_at": summary.ended_at,
            "page_count": summary.page_count,
            "intent_score": summary.intent_score,
            "nudge_count": summary.nudge_count,
            "converted": summary.converted,
            "event_count": summary.event_count,
        }, row["session_id"]
        assert [e["intent_score"] for e in members] == summary.scores


def assert_grouping_is_gap_based(event_rows: list[Any]) -> None:
    """Each client key's events, by time, split into sessions exactly at gaps over 30 minutes,
    whatever order they arrived in."""
    by_key: dict[str, list[Any]] = {}
    for row in event_rows:
        by_key.setdefault(row["client_key"], []).append(row)
    for rows in by_key.values():
        rows.sort(key=lambda e: (e["occurred_at"], e["client_event_id"] or "", e["event_id"]))
        expected: list[set[str]] = [set()]
        for previous, current in zip([None, *rows], rows, strict=False):
            if previous is not None and current["occurred_at"] - previous["occurred_at"] > GAP:
                expected.append(set())
            expected[-1].add(current["event_id"])
        stored: dict[str, set[str]] = {}
        for row in rows:
            stored.setdefault(row["session_id"], set()).add(row["event_id"])
        assert sorted(map(sorted, stored.values())) == sorted(map(sorted, expected))
