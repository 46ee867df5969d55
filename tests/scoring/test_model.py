"""The intent model: its guarantees as properties, its anchors as examples, its quality as AUC."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import elnudge.scoring
from elnudge.events.payloads import EVENT_TYPES
from elnudge.scoring import MODEL_VERSION, intent_score, score_history
from elnudge.vocabulary import Event, EventType

T0 = 1_777_000_000_000  # an epoch-ms moment in 2026
NEGATIVE_TYPES = (EventType.EXIT_INTENT, EventType.REMOVE_FROM_CART)
ALL_TYPES = EVENT_TYPES
NON_NEGATIVE_TYPES = tuple(t for t in ALL_TYPES if t not in NEGATIVE_TYPES)
URLS = (
    "/",
    "/collections/trail-running",
    "/products/ultra-stride-v2",
    "/products/mudlark-xt?variant=2",
    "/collections/trail/products/mudlark-xt",
    "/search?q=/products/x",
    "/cart",
    "/checkout/payment",
)

# Payload values: mostly valid, sometimes junk the model must shrug off (it never raises).
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=4),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**30), 10**30),
    st.lists(st.integers(), max_size=2),
)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "product_id": st.one_of(st.sampled_from(["prod_a", "prod_b", "prod_c"]), junk),
        "stage": st.one_of(st.sampled_from(["cart", "checkout", "payment", "review"]), junk),
        "depth": st.one_of(st.sampled_from([25, 50, 75, 100]), junk),
        "duration_ms": st.one_of(st.integers(0, 10_000), junk),
        "nudge_id": st.text(max_size=4),
    },
)
gaps = st.one_of(st.integers(0, 5_000), st.integers(0, 4_000_000))


def make_event(kind: str, at: int, url: str = "/", **data: Any) -> Event:
    return Event(type=kind, occurred_at=at, url=url, data=data)


@st.composite
def event_sequences(draw: st.DrawFn, max_size: int = 40) -> list[Event]:
    """Random sessions: any mix of types, URLs and payloads, timestamps non-decreasing."""
    at = T0
    events = []
    for _ in range(draw(st.integers(0, max_size))):
        at += draw(gaps)
        kind = draw(st.sampled_from(ALL_TYPES))
        events.append(Event(kind, at, draw(st.sampled_from(URLS)), draw(payloads)))
    return events


@st.composite
def appended(draw: st.DrawFn, types: tuple[str, ...]) -> tuple[list[Event], Event]:
    events = draw(event_sequences())
    last = events[-1].occurred_at if events else T0
    kind = draw(st.sampled_from(types))
    extra = Event(kind, last + draw(gaps), draw(st.sampled_from(URLS)), draw(payloads))
    return events, extra


# -- guarantees -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)  # no timing in tests: a loaded CI core is slow
@given(event_sequences(max_size=60))
def test_every_step_of_a_history_moves_the_way_its_event_says(events: list[Event]) -> None:
    # Each entry is the score of a prefix (tested below), so this checks one append per event.
    history = [0, *score_history(events)]
    for event, before, after in zip(events, history, history[1:], strict=False):
        if event.type in NEGATIVE_TYPES:
            assert after <= before, event
        else:
            assert after >= before, event


@given(appended(NON_NEGATIVE_TYPES))
def test_positive_and_neutral_events_never_lower_the_score(case: tuple[list[Event], Event]) -> None:
    events, extra = case
    assert intent_score([*events, extra]) >= intent_score(events)


@given(appended(NEGATIVE_TYPES))
def test_exit_intent_and_cart_removal_never_raise_the_score(
    case: tuple[list[Event], Event],
) -> None:
    events, extra = case
    assert intent_score([*events, extra]) <= intent_score(events)


@given(event_sequences())
def test_history_is_one_integer_in_range_per_event(events: list[Event]) -> None:
    history = score_history(events)
    assert len(history) == len(events)
    assert all(type(score) is int and 0 <= score <= 100 for score in history)


@given(event_sequences())
def test_history_is_a_fold_each_entry_is_the_score_of_its_prefix(events: list[Event]) -> None:
    history = score_history(events)
    for k in range(len(events)):
        assert history[k] == intent_score(events[: k + 1])


@given(event_sequences())
def test_deterministic(events: list[Event]) -> None:
    copy = [Event(e.type, e.occurred_at, e.url, dict(e.data)) for e in events]
    assert score_history(events) == score_history(copy) == score_history(tuple(events))


@given(event_sequences(), st.randoms(use_true_random=False))
def test_out_of_order_input_is_still_scored_in_range(events: list[Event], rnd: Any) -> None:
    rnd.shuffle(events)
    assert all(0 <= score <= 100 for score in score_history(events))


def test_a_session_without_events_scores_zero() -> None:
    assert intent_score([]) == 0
    assert score_history([]) == []


def test_public_surface() -> None:
    assert sorted(elnudge.scoring.__all__) == ["MODEL_VERSION", "intent_score", "score_history"]
    assert MODEL_VERSION == "intent-v1"


# -- anchors ------------------------------------------------------------------------------------


def full_funnel() -> list[Event]:
    product = "/products/ultra-stride-v2"
    steps: list[tuple[int, str, str, dict[str, Any]]] = [
        (0, EventType.PAGE_VIEW, "/?utm_source=google", {}),
        (15, EventType.PAGE_VIEW, "/collections/road-running", {}),
        (40, EventType.PAGE_VIEW, product, {}),
        (40, EventType.PRODUCT_VIEW, product, {"product_id": "prod_ultra-stride-v2"}),
        (50, EventType.SCROLL_DEPTH, product, {"depth": 50}),
        (65, EventType.SCROLL_DEPTH, product, {"depth": 100}),
        (80, EventType.ELEMENT_HOVER, product, {"selector": ".size-picker", "duration_ms": 2500}),
        (
            110,
            EventType.ADD_TO_CART,
            product,
            {"product_id": "prod_ultra-stride-v2", "price": 139.0},
        ),
        (120, EventType.PAGE_VIEW, "/cart", {}),
        (121, EventType.CHECKOUT_STAGE, "/cart", {"stage": "cart"}),
        (140, EventType.CHECKOUT_STAGE, "/checkout", {"stage": "checkout"}),
        (200, EventType.CHECKOUT_STAGE, "/checkout/payment", {"stage": "payment"}),
        (230, EventType.CHECKOUT_STAGE, "/checkout/payment", {"stage": "review"}),
    ]
    return [make_event(kind, T0 + s * 1000, url, **data) for s, kind, url, data in steps]


def with_purchase(events: list[Event]) -> list[Event]:
    purchase = make_event(
        EventType.PURCHASE, events[-1].occurred_at + 20_000, "/checkout/thank-you", value=139.0
    )
    return [*events, purchase]


def test_a_one_page_bounce_scores_low() -> None:
    assert intent_score([make_event(EventType.PAGE_VIEW, T0, "/")]) < 20
    product_bounce = [
        make_event(EventType.PAGE_VIEW, T0, "/products/mudlark-xt"),
        make_event(EventType.PRODUCT_VIEW, T0 + 200, "/products/mudlark-xt", product_id="prod_m"),
        make_event(EventType.SCROLL_DEPTH, T0 + 4_000, "/products/mudlark-xt", depth=25),
        make_event(EventType.EXIT_INTENT, T0 + 9_000, "/products/mudlark-xt"),
    ]
    assert intent_score(product_bounce) < 20


def test_a_full_funnel_scores_high_and_the_purchase_tops_it() -> None:
    funnel = full_funnel()
    assert intent_score(funnel) >= 90
    assert intent_score(with_purchase(funnel)) >= 98
    assert score_history(funnel) == sorted(score_history(funnel))  # no negatives, no dips


def test_a_purchase_reported_alone_scores_high() -> None:
    assert intent_score([make_event(EventType.PURCHASE, T0, "/checkout/thank-you")]) >= 95


def test_exit_intent_and_removal_lower_a_mid_range_score() -> None:
    funnel = full_funnel()[:8]  # up to the cart add
    before = intent_score(funnel)
    assert 20 < before < 90
    at = funnel[-1].occurred_at + 5_000
    assert intent_score([*funnel, make_event(EventType.EXIT_INTENT, at)]) < before
    assert intent_score([*funnel, make_event(EventType.REMOVE_FROM_CART, at)]) < before


def test_dwell_on_a_product_page_counts_and_is_capped_per_gap() -> None:
    url = "/products/ultra-stride-v2"

    def after(gap_ms: int) -> int:
        view = make_event(EventType.PAGE_VIEW, T0, url)
        return intent_score([view, make_event(EventType.CLICK, T0 + gap_ms, url)])

    assert after(90_000) > after(1_000)
    assert after(30 * 60_000) == after(2 * 60_000)  # an idle tab is not reading


def test_dwell_is_not_credited_on_other_pages() -> None:
    def after(gap_ms: int) -> int:
        return intent_score(
            [make_event(EventType.PAGE_VIEW, T0), make_event(EventType.CLICK, T0 + gap_ms)]
        )

    assert after(90_000) == after(1_000)


@pytest.mark.parametrize("kind", NEGATIVE_TYPES)
def test_reading_time_across_a_negative_event_is_credited_at_the_next_event(kind: str) -> None:
    # The exit intent does not end the visit to the page, so the minute of reading before it
    # still counts, once the visitor does something else; it just never offsets the penalty.
    url = "/products/ultra-stride-v2"
    view = make_event(EventType.PAGE_VIEW, T0, url)
    negative_first = [
        view,
        make_event(kind, T0 + 60_000, url),
        make_event(EventType.CLICK, T0 + 61_000, url),
    ]
    click_first = [
        view,
        make_event(EventType.CLICK, T0 + 61_000, url),
        make_event(kind, T0 + 61_000, url),
    ]
    assert intent_score(negative_first) == intent_score(click_first)
    assert intent_score(negative_first[:2]) <= intent_score([view])
