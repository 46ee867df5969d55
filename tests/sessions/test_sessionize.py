"""The 30-minute rule, late events, merges, and independence from arrival order (docs/api.md,
"How events become sessions")."""

from __future__ import annotations

import random
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elnudge.provisioning import create_site
from elnudge.runtime import Runtime
from elnudge.timestamps import format_timestamp_ms, parse_timestamp
from tests.storefront import ShopApi, add_to_cart, nudge_reaction, nudge_shown, page_view, purchase

T0 = parse_timestamp("2026-04-20T10:00:00Z")
MINUTE = 60_000


def ts(minutes: float) -> str:
    return format_timestamp_ms(T0 + int(minutes * MINUTE))


def spans(shop: ShopApi) -> list[tuple[str, str]]:
    return sorted((s["started_at"], s["ended_at"]) for s in shop.sessions())


def test_a_gap_of_exactly_30_minutes_continues_and_longer_splits(shop: ShopApi) -> None:
    shop.ingest(page_view(ts(0), "/a"), page_view(ts(30), "/b"))
    assert spans(shop) == [(ts(0)[:19] + "Z", ts(30)[:19] + "Z")]
    shop.ingest(page_view("2026-04-20T11:00:00.001Z", "/c"))  # 30 min + 1 ms after the last
    assert len(spans(shop)) == 2


def test_an_event_after_the_gap_starts_a_new_session_with_a_new_id(shop: ShopApi) -> None:
    shop.ingest(page_view(ts(0), "/a"))
    [first] = shop.sessions()
    shop.ingest(page_view(ts(31), "/b"))
    ids = {s["id"] for s in shop.sessions()}
    assert len(ids) == 2 and first["id"] in ids


def test_a_late_event_joins_the_session_it_falls_into(shop: ShopApi) -> None:
    shop.ingest(page_view(ts(0), "/a"), page_view(ts(20), "/c"))
    shop.ingest(page_view(ts(10), "/b"))
    [session] = shop.sessions()
    assert session["page_count"] == 3
    assert [e["url"] for e in shop.detail(session["id"])["events"]] == ["/a", "/b", "/c"]


def test_a_late_event_that_bridges_two_sessions_merges_them_keeping_the_earlier_id(
    shop: ShopApi,
) -> None:
    shop.ingest(page_view(ts(0), "/a"))
    shop.ingest(page_view(ts(50), "/c"))
    earlier, later = sorted(shop.sessions(), key=lambda s: s["started_at"])
    shop.ingest(page_view(ts(25), "/b"))  # within 30 minutes of both
    [merged] = shop.sessions()
    assert merged["id"] == earlier["id"]
    assert merged["page_count"] == 3
    assert shop.get(later["id"]).status_code == 404


def test_merging_carries_nudges_and_conversion_over(shop: ShopApi) -> None:
    nudge = "nudg_01J0000000000000000000000A"
    shop.ingest(page_view(ts(0), "/a"), nudge_shown(ts(1), nudge, "toast"))
    shop.ingest(nudge_reaction("NUDGE_CLICKED", ts(40), nudge), purchase(ts(45)))
    assert len(shop.sessions()) == 2
    shop.ingest(page_view(ts(20), "/b"))
    [merged] = shop.sessions()
    assert merged["converted"] is True and merged["nudge_count"] == 1
    [detail_nudge] = shop.detail(merged["id"])["nudges"]
    assert detail_nudge["outcome"] == "clicked" and detail_nudge["influenced_conversion"] is True


def test_client_keys_and_sites_never_share_sessions(shop: ShopApi) -> None:
    shop.ingest(page_view(ts(0), "/a", session="k1"), page_view(ts(1), "/b", session="k2"))
    assert len(shop.sessions()) == 2


def _journey(seed: int) -> list[dict[str, Any]]:
    """Events of two client keys with gaps short and long, nudges and a purchase."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    for key in ("k1", "k2"):
        minute = rng.uniform(0, 10)
        nudge = f"nudg_{key}{seed}"
        for step in range(rng.randint(3, 12)):
            minute += rng.choice([0.5, 2, 10, 29, 31, 45])
            events.append(
                page_view(
                    ts(minute), f"/p{rng.randint(0, 4)}", session=key, event_id=f"{key}-{step}"
                )
            )
        events.append(nudge_shown(ts(minute + 1), nudge, "toast", session=key, event_id=f"{key}-n"))
        events.append(
            nudge_reaction("NUDGE_CLICKED", ts(minute + 2), nudge, session=key, event_id=f"{key}-c")
        )
        events.append(add_to_cart(ts(minute + 3), session=key, event_id=f"{key}-a"))
        if rng.random() < 0.5:
            events.append(purchase(ts(minute + 4), session=key, event_id=f"{key}-p"))
    return events


def _outcome(shop: ShopApi) -> list[tuple[Any, ...]]:
    result = []
    for session in shop.sessions(limit=200):
        detail = shop.detail(session["id"])
        fields = tuple(v for k, v in detail.items() if k not in ("id", "events", "nudges"))
        events = tuple((e["type"], e["url"], e["occurred_at"]) for e in detail["events"])
        nudges = tuple(tuple(n.values()) for n in detail["nudges"])
        result.append((fields, events, nudges))
    return sorted(result)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10_000), order_seed=st.integers(0, 10_000), batches=st.integers(1, 6))
def test_sessions_do_not_depend_on_arrival_order(
    client: TestClient, runtime: Runtime, seed: int, order_seed: int, batches: int
) -> None:
    events = _journey(seed)
    shuffled = events[:]
    random.Random(order_seed).shuffle(shuffled)
    outcomes = []
    for delivery in (events, shuffled):
        with runtime.database.write() as connection:
            site = create_site(
                connection, name="Order", plan="starter", now_ms=runtime.clock.now_ms()
            )
        shop = ShopApi(client, site.secret_key_live)
        size = max(1, len(delivery) // batches)
        for start in range(0, len(delivery), size):
            shop.ingest(*delivery[start : start + size])
        shop.ingest(*delivery[:3])  # redelivery changes nothing
        outcomes.append(_outcome(shop))
    assert outcomes[0] == outcomes[1]
