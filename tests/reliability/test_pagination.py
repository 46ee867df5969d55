"""Pagination invariants as a Hypothesis state machine: inserts at random times interleaved with
page walks of random limit and window; cursors tampered with, truncated or foreign give 400.

ELNUDGE_PAGINATION_EXAMPLES (default 15) state machine runs per backend in CI."""

from __future__ import annotations

import base64
import os
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from elnudge.db.tables import sessions
from elnudge.runtime import Runtime
from elnudge.timestamps import DAY_MS, format_timestamp_ms
from tests.reliability.tenants import new_site
from tests.storefront import ShopApi, page_view

RUNS = int(os.environ.get("ELNUDGE_PAGINATION_EXAMPLES", "15"))
# Seconds before now; a few distinct values so that ties on started_at are common.
offsets = st.one_of(st.integers(0, 40 * 86_400), st.sampled_from([60, 3600, 86_400 * 29]))


class Pagination(RuleBasedStateMachine):
    client: TestClient
    runtime: Runtime

    @initialize()
    def start(self) -> None:
        site = new_site(self.runtime)
        self.site_id = site.site_id
        self.api = ShopApi(self.client, site.secret_key_live)
        self.foreign = ShopApi(self.client, site.secret_key_test)
        self.now_ms = self.runtime.clock.now_ms()
        self.model: dict[str, int] = {}  # session id -> started_at (ms)
        self.count = 0
        self.foreign.ingest(page_view(format_timestamp_ms(self.now_ms - 1000), "/", session="f1"))
        self.foreign.ingest(page_view(format_timestamp_ms(self.now_ms - 2000), "/", session="f2"))

    def _insert(self, offset_s: int, ms: int) -> None:
        self.count += 1
        started = self.now_ms - offset_s * 1000 - ms
        key = f"ses_{self.count}"
        self.api.ingest(page_view(format_timestamp_ms(started), "/", session=key))
        # Each client key has one event, so one session: the model is its id and start.
        with self.runtime.database.read() as connection:
            query = select(sessions.c.session_id).where(
                sessions.c.site_id == self.site_id, sessions.c.client_key == key
            )
            self.model[connection.execute(query).scalar_one()] = started

    @rule(offset_s=offsets, ms=st.sampled_from([0, 0, 1, 999]))
    def insert(self, offset_s: int, ms: int) -> None:
        self._insert(offset_s, ms)

    def visible(self, model: dict[str, int], low: int, high: int) -> set[str]:
        """The model's sessions in [low, high) and inside the plan's 30-day window."""
        floor = max(low, self.now_ms - 30 * DAY_MS)
        return {session for session, started in model.items() if floor <= started < high}

    @rule(
        limit=st.integers(1, 7),
        window=st.one_of(st.none(), st.tuples(st.integers(0, 45), st.integers(0, 45))),
        inserts=st.lists(st.tuples(offsets, st.sampled_from([0, 1])), max_size=3),
    )
    def walk(self, limit: int, window: tuple[int, int] | None, inserts: list[Any]) -> None:
        params: dict[str, Any] = {"limit": limit}
        low, high = self.now_ms - 30 * DAY_MS, self.now_ms
        if window is not None:
            a, b = sorted(window)
            low, high = self.now_ms - b * DAY_MS, self.now_ms - a * DAY_MS + 1
            params.update({"from": format_timestamp_ms(low), "to": format_timestamp_ms(high)})
        before = dict(self.model)
        seen: list[dict[str, Any]] = []
        response = self.api.list(**params)
        while True:
            assert response.status_code == 200, response.text
            body = response.json()
            assert len(body["data"]) <= limit
            assert body["has_more"] == (body["next_cursor"] is not None)
            seen.extend(body["data"])
            if not body["has_more"]:
                break
            for offset_s, ms in inserts:  # new sessions arrive in the middle of the walk
                self._insert(offset_s, ms)
            inserts = []
            response = self.api.list(cursor=body["next_cursor"], limit=limit)
        ids = [item["id"] for item in seen]
        assert len(ids) == len(set(ids)), "a session appeared twice"
        keys = [(self.model[session], session) for session in ids]
        assert keys == sorted(keys, reverse=True), "not strictly newest first"
        # Everything there when the walk began is seen; what arrived during it may be.
        assert self.visible(before, low, high) <= set(ids) <= self.visible(self.model, low, high)

    @rule(limit=st.integers(1, 3), cut=st.integers(1, 40), flip=st.integers(0, 10_000))
    def bad_cursors(self, limit: int, cut: int, flip: int) -> None:
        mine = self.api.list(limit=1).json()["next_cursor"]
        theirs = self.foreign.list(limit=1).json()["next_cursor"]
        assert theirs is not None
        candidates = [theirs, theirs[:-cut], "x" + theirs, "", "e30=", "bm90IGpzb24="]
        if mine is not None:
            raw = bytearray(base64.b64decode(mine))
            raw[flip % len(raw)] ^= 1 << (flip % 7)
            candidates += [base64.b64encode(bytes(raw)).decode(), mine[: -min(cut, len(mine))]]
        for cursor in candidates:
            response = self.api.list(cursor=cursor, limit=limit)
            assert response.status_code == 400, (cursor, response.text)
            assert response.json()["param"] == "cursor"
            assert "data" not in response.json()

    @invariant()
    def first_page_is_the_newest(self) -> None:
        if hasattr(self, "api"):
            data = self.api.list(limit=3).json()["data"]
            visible = self.visible(self.model, 0, self.now_ms)  # default window: [now-30d, now)
            newest = sorted(((self.model[session], session) for session in visible), reverse=True)
            assert [item["id"] for item in data] == [session for _, session in newest[:3]]


def test_pagination_state_machine(client: TestClient, runtime: Runtime) -> None:
    Pagination.client = client
    Pagination.runtime = runtime
    run_state_machine_as_test(
        Pagination,
        settings=settings(
            max_examples=RUNS,
            stateful_step_count=12,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_a_session_moved_by_a_late_event_mid_walk_is_never_skipped(
    client: TestClient, runtime: Runtime
) -> None:
    """The documented limit: a late event that moves a shown session down the list makes it
    appear again later in the walk; no session is ever skipped."""
    api = ShopApi(client, new_site(runtime).secret_key_live)
    api.ingest(
        page_view("2026-05-01T10:00:00Z", "/", session="a"),
        page_view("2026-05-01T09:00:00Z", "/", session="b"),
    )
    first = api.list(limit=1).json()
    api.ingest(page_view("2026-05-01T09:35:00Z", "/late", session="a"))  # a now starts 09:35
    seen = [item["id"] for item in first["data"]]
    cursor = first["next_cursor"]
    while cursor is not None:
        page = api.list(cursor=cursor, limit=1).json()
        seen += [item["id"] for item in page["data"]]
        cursor = page["next_cursor"]
    [moved] = [item["id"] for item in first["data"]]
    assert set(seen) == {item["id"] for item in api.walk(limit=200)}
    assert seen.count(moved) <= 2 and len(seen) <= 3  # today: exactly 2 and 3
