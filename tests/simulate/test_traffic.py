"""The traffic simulator: deterministic, shaped exactly like the API's envelopes, plausible."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from ulid import ULID

import elnudge.simulate
from elnudge.events.payloads import EVENT_TYPES
from elnudge.simulate import CATALOGUE, SimulatedSession, simulate_sessions
from elnudge.vocabulary import NUDGE_EVENTS, EventType, NudgeType

START = datetime(2026, 4, 1, tzinfo=UTC)
DAYS = 10
PER_DAY = 300
BASE_URL = "https://demo-shop.example"
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
KEY = re.compile(r"^ses_[0-9A-Za-z]{22}$")
REQUIRED = {"event_id", "session_id", "event", "ts", "url", "data"}
CANONICAL = set(EVENT_TYPES)
STAGES = ["cart", "checkout", "payment", "review"]
NUDGE_KINDS = set(NudgeType)


@pytest.fixture(scope="module")
def sessions() -> list[SimulatedSession]:
    return list(simulate(seed=7))


def simulate(seed: int, days: int = DAYS, per_day: int = PER_DAY) -> list[SimulatedSession]:
    return list(
        simulate_sessions(
            seed=seed, start=START, days=days, sessions_per_day=per_day, base_url=BASE_URL
        )
    )


def envelopes(sessions: list[SimulatedSession]) -> list[dict[str, Any]]:
    return [e for s in sessions for e in s.events]


def millis(ts: str) -> int:
    return int(datetime.fromisoformat(ts).timestamp() * 1000 + 0.5)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- determinism and shape ---------------------------------------------------------------------


def test_the_same_seed_gives_the_same_traffic_and_another_seed_other_traffic() -> None:
    assert simulate(seed=11, days=2) == simulate(seed=11, days=2)
    assert simulate(seed=11, days=2) != simulate(seed=12, days=2)


def test_public_surface() -> None:
    assert sorted(elnudge.simulate.__all__) == [
        "CATALOGUE",
        "Product",
        "SimulatedSession",
        "simulate_sessions",
    ]
    assert 15 <= len(CATALOGUE) <= 25
    assert len({p.id for p in CATALOGUE}) == len(CATALOGUE)
    for product in CATALOGUE:
        assert product.url == "/products/" + product.id.removeprefix("prod_")
        assert product.collection.startswith("/collections/")
        assert product.price == round(product.price, 2) > 0


def test_count_order_and_keys(sessions: list[SimulatedSession]) -> None:
    assert len(sessions) == DAYS * PER_DAY
    starts = [millis(s.events[0]["ts"]) for s in sessions]
    assert starts == sorted(starts)
    assert len({s.client_session_key for s in sessions}) == len(sessions)
    assert all(KEY.match(s.client_session_key) for s in sessions)
    assert all(s.visitor_id is None or s.visitor_id.startswith("vis_") for s in sessions)


def test_every_envelope_has_the_api_shape(sessions: list[SimulatedSession]) -> None:
    for session in sessions:
        assert session.events
        for envelope in session.events:
            keys = set(envelope)
            assert REQUIRED <= keys <= REQUIRED | {"visitor_id"}
            assert envelope["session_id"] == session.client_session_key
            assert envelope.get("visitor_id") == session.visitor_id
            assert envelope["event"] in CANONICAL
            assert TS.match(envelope["ts"])
            assert envelope["url"].startswith(BASE_URL + "/")
            assert isinstance(envelope["data"], dict)
            assert re.fullmatch(r"e_[0-9a-f]{24}", envelope["event_id"])
    ids = [e["event_id"] for e in envelopes(sessions)]
    assert len(set(ids)) == len(ids)


def line_item_ok(data: dict[str, Any]) -> bool:
    return (
        data["product_id"].startswith("prod_")
        and bool(data["product_name"])
        and is_number(data["price"])
        and data["currency"] == "USD"
        and isinstance(data["quantity"], int)
        and data["quantity"] >= 1
    )


def purchase_ok(data: dict[str, Any]) -> bool:
    return (
        is_number(data["value"])
        and data["value"] > 0
        and data["currency"] == "USD"
        and isinstance(data["item_count"], int)
        and data["item_count"] >= 1
        and isinstance(data["order_id"], str)
    )


def accept_any(data: dict[str, Any]) -> bool:
    return True  # PAGE_VIEW and EXIT_INTENT have no required fields


PAYLOAD_OK: dict[str, Callable[[dict[str, Any]], bool]] = {
    EventType.PRODUCT_VIEW: lambda d: d["product_id"].startswith("prod_"),
    EventType.ADD_TO_CART: line_item_ok,
    EventType.REMOVE_FROM_CART: line_item_ok,
    EventType.PURCHASE: purchase_ok,
    EventType.CHECKOUT_STAGE: lambda d: d["stage"] in STAGES,
    EventType.SCROLL_DEPTH: lambda d: d["depth"] in (25, 50, 75, 100),
    EventType.ELEMENT_HOVER: lambda d: (
        isinstance(d["selector"], str) and type(d["duration_ms"]) is int
    ),
    EventType.CLICK: lambda d: {"tag", "classes", "text"} <= set(d) and len(d["text"]) <= 64,
    EventType.CUSTOM: lambda d: isinstance(d["name"], str),
    EventType.NUDGE_SHOWN: lambda d: d["type"] in NUDGE_KINDS and d["nudge_id"].startswith("nudg_"),
    EventType.NUDGE_CLICKED: lambda d: set(d) == {"nudge_id"},
    EventType.NUDGE_DISMISSED: lambda d: set(d) == {"nudge_id"},
    EventType.NUDGE_CHAT_OPENED: lambda d: set(d) == {"nudge_id"},
}


def test_payloads_follow_the_event_table(sessions: list[SimulatedSession]) -> None:
    for envelope in envelopes(sessions):
        assert PAYLOAD_OK.get(envelope["event"], accept_any)(envelope["data"]), envelope


def test_timestamps_lie_in_the_window_and_never_go_back(sessions: list[SimulatedSession]) -> None:
    low = millis("2026-04-01T00:00:00.000Z")
    high = low + DAYS * 86_400_000
    for session in sessions:
        times = [millis(e["ts"]) for e in session.events]
        assert times == sorted(times)
        assert low <= times[0] and times[-1] <= high


def test_checkout_stages_come_in_order_and_purchases_match_converted(
    sessions: list[SimulatedSession],
) -> None:
    for session in sessions:
        stages = [
            STAGES.index(e["data"]["stage"])
            for e in session.events
            if e["event"] == "CHECKOUT_STAGE"
        ]
        assert stages == sorted(stages)
        purchases = sum(e["event"] == EventType.PURCHASE for e in session.events)
        assert purchases == int(session.converted) <= 1


# -- nudges ---------------------------------------------------------------------------------------


def test_nudge_ids_are_real_ulids_stamped_when_offered(sessions: list[SimulatedSession]) -> None:
    offered = {o.nudge_id: o for s in sessions for o in s.offers}
    assert len(offered) == sum(len(s.offers) for s in sessions)  # unique
    shown = [e for e in envelopes(sessions) if e["event"] == EventType.NUDGE_SHOWN]
    assert len(shown) > 100
    for envelope in shown:
        nudge_id = envelope["data"]["nudge_id"]
        assert nudge_id.startswith("nudg_") and len(nudge_id) == 31
        ulid = ULID.from_str(nudge_id[5:])
        assert str(ulid) == nudge_id[5:]
        offer = offered[nudge_id]
        assert ulid.milliseconds == offer.offered_at <= millis(envelope["ts"])
    # Only the sticky bar is reported again (drawn again on each checkout page).
    repeated = Counter(e["data"]["nudge_id"] for e in shown)
    assert {offered[i].type for i, n in repeated.items() if n > 1} == {NudgeType.STICKY_BAR}


def test_nudge_interactions_refer_to_a_nudge_shown_earlier_in_the_session(
    sessions: list[SimulatedSession],
) -> None:
    reactions: Counter[str] = Counter()
    for session in sessions:
        shown: set[str] = set()
        for envelope in session.events:
            if envelope["event"] == EventType.NUDGE_SHOWN:
                shown.add(envelope["data"]["nudge_id"])
            elif envelope["event"] in NUDGE_EVENTS:
                assert envelope["data"]["nudge_id"] in shown
                reactions[envelope["event"]] += 1
    assert set(reactions) == {
        EventType.NUDGE_CLICKED,
        EventType.NUDGE_DISMISSED,
        EventType.NUDGE_CHAT_OPENED,
    }


def test_exit_modals_follow_exit_intent_and_sticky_bars_sit_at_checkout(
    sessions: list[SimulatedSession],
) -> None:
    for session in sessions:
        previous = None
        stage_urls: set[str] = set()  # a CHECKOUT_STAGE reported on a page makes it checkout
        for envelope in session.events:
            if envelope["event"] == EventType.CHECKOUT_STAGE:
                stage_urls.add(envelope["url"])
            if envelope["event"] == EventType.NUDGE_SHOWN:
                kind = envelope["data"]["type"]
                if kind == "exit_modal":
                    assert previous == EventType.EXIT_INTENT
                if kind == "sticky_bar":
                    assert "/checkout" in envelope["url"] or envelope["url"] in stage_urls
            previous = envelope["event"]


# -- realism --------------------------------------------------------------------------------------


def test_conversion_rate_and_archetype_mix_are_plausible(sessions: list[SimulatedSession]) -> None:
    rate = sum(s.converted for s in sessions) / len(sessions)
    assert 0.06 <= rate <= 0.13
    one_page = sum(
        len({e["url"] for e in s.events if e["event"] == "PAGE_VIEW"}) == 1 for s in sessions
    )
    assert 0.3 <= one_page / len(sessions) <= 0.6


def test_visitors_are_partly_identified_and_some_return(sessions: list[SimulatedSession]) -> None:
    identified = [s.visitor_id for s in sessions if s.visitor_id is not None]
    assert 0.3 <= len(identified) / len(sessions) <= 0.5
    returning = [v for v, n in Counter(identified).items() if n > 1]
    assert len(returning) > 50


def test_some_client_keys_pause_longer_than_thirty_minutes(
    sessions: list[SimulatedSession],
) -> None:
    def longest_gap(session: SimulatedSession) -> int:
        times = [millis(e["ts"]) for e in session.events]
        return max((b - a for a, b in pairwise(times)), default=0)

    split = sum(longest_gap(s) > 30 * 60_000 for s in sessions)
    assert 0 < split < 0.1 * len(sessions)


def test_page_urls_carry_campaign_queries_and_fragments(sessions: list[SimulatedSession]) -> None:
    urls = [e["url"] for e in envelopes(sessions) if e["event"] == EventType.PAGE_VIEW]
    assert any("?utm_source=" in url for url in urls)
    assert any("#" in url for url in urls)


def test_evenings_are_busier_than_nights(sessions: list[SimulatedSession]) -> None:
    hours = Counter(datetime.fromisoformat(s.events[0]["ts"]).hour for s in sessions)
    assert hours[20] > 3 * hours[3]


def test_naive_start_is_utc() -> None:
    naive = START.replace(tzinfo=None)
    aware = simulate(seed=3, days=1, per_day=20)
    assert (
        list(simulate_sessions(seed=3, start=naive, days=1, sessions_per_day=20, base_url=BASE_URL))
        == aware
    )
    assert START + timedelta(days=1) >= datetime.fromisoformat(aware[-1].events[-1]["ts"])


@pytest.mark.slow
def test_thirty_days_of_traffic_is_the_demo_s_nine_thousand_sessions() -> None:
    # How fast it runs is the benchmarks' business (no timed assertions in tests).
    assert len(simulate(seed=5, days=30, per_day=300)) == 9_000
