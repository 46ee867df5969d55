"""The facts fold: what each event teaches the engine, and that a saved state continues the
fold exactly."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elnudge.engine import SessionFacts, fold_facts, step
from elnudge.events.payloads import EVENT_TYPES
from elnudge.vocabulary import Event, EventType, NudgeType
from tests.engine.shopper import (
    PRODUCT,
    add,
    at,
    dismissed,
    exit_intent,
    idle,
    page,
    product,
    remove,
    scroll,
    shown,
    signal,
)


def test_a_product_page_is_a_product_view_on_the_current_page() -> None:
    facts = fold_facts([page(PRODUCT, 0), product(1, stock=3)])
    assert facts.on_product_page
    assert facts.product is not None
    assert (facts.product.name, facts.product.stock, facts.product.price) == ("Trail Shoe", 3, 89)
    assert facts.product_page_since == at(1)


def test_another_page_forgets_the_product_and_the_same_page_keeps_it() -> None:
    viewed = [page(PRODUCT, 0), product(1)]
    assert not fold_facts([*viewed, page("/collections/all", 5)]).on_product_page
    reloaded = fold_facts([*viewed, page(PRODUCT, 5)])
    assert reloaded.on_product_page
    assert reloaded.product_page_since == at(5)  # entering the page again is a new signal


def test_the_stores_product_view_may_come_before_the_sdks_page_view() -> None:
    facts = fold_facts([page("/", 0), product(1), page(PRODUCT, 1.2)])
    assert facts.on_product_page
    assert facts.product_page_since == at(1.2)


def test_a_product_view_elsewhere_is_not_this_page() -> None:
    facts = fold_facts([page("/collections/all", 0), product(1, url="/quick-view/shoe")])
    assert not facts.on_product_page
    assert facts.product_page_since is None


def test_without_page_views_the_latest_event_says_where_the_shopper_is() -> None:
    facts = fold_facts([product(0), idle(31)])
    assert facts.current_path == PRODUCT
    assert facts.on_product_page


def test_the_cart_adds_and_removes_by_product() -> None:
    facts = fold_facts(
        [
            add(0, product_id="shoe", price=30, quantity=2),
            add(1, product_id="sock", price=4.5),
            remove(2, product_id="shoe"),
        ]
    )
    assert {key: line.quantity for key, line in facts.cart.items()} == {"shoe": 1, "sock": 1}
    assert facts.cart_quantity == 2
    assert facts.cart_total.value == Decimal("34.5")
    assert facts.cart_total.currency == "USD"
    assert facts.ever_added
    assert facts.cart_changed_at == facts.removed_at == at(2)


def test_removing_everything_or_more_empties_the_line() -> None:
    facts = fold_facts([add(0, quantity=2), remove(1, quantity=5)])
    assert dict(facts.cart) == {}
    assert facts.ever_added
    assert fold_facts([remove(0)]).cart_quantity == 0  # a cart from an earlier visit


def test_cart_values_add_up_as_decimals() -> None:
    facts = fold_facts([add(0, product_id="a", price=0.1), add(1, product_id="b", price=0.2)])
    assert facts.cart_total.value == Decimal("0.3")


def test_mixed_currencies_have_no_single_currency() -> None:
    facts = fold_facts([add(0, product_id="a"), add(1, product_id="b", currency="EUR")])
    assert facts.cart_total.currency is None


def test_a_removal_then_browsing_on() -> None:
    removed = [page("/cart", 0), remove(1, url="/cart")]
    assert not fold_facts(removed).browsed_after_removal
    assert fold_facts([*removed, page("/collections/all", 9)]).browsed_after_removal
    again = fold_facts([*removed, page("/x", 9), remove(10, url="/x")])
    assert not again.browsed_after_removal  # a newer removal waits for its own browsing


def test_scroll_depth_and_idleness_belong_to_the_page() -> None:
    facts = fold_facts([page(PRODUCT, 0), scroll(1, 50), scroll(2, 75), scroll(3, 100)])
    assert (facts.scroll_depth, facts.deep_scroll_at) == (100, at(2))
    assert fold_facts([page(PRODUCT, 0), scroll(1, 50)]).deep_scroll_at is None
    idle_facts = fold_facts([page(PRODUCT, 0), idle(40, idle_for=35)])
    assert (idle_facts.idle_seconds, idle_facts.idle_at) == (35, at(40))
    moved_on = fold_facts([page(PRODUCT, 0), scroll(1, 100), idle(40), page("/", 50)])
    assert (moved_on.scroll_depth, moved_on.deep_scroll_at, moved_on.idle_at) == (0, None, None)


def test_checkout_pages() -> None:
    assert fold_facts([page("/checkout/payment", 0)]).in_checkout
    assert fold_facts([page("/checkouts/c1f9", 0)]).in_checkout  # Shopify's paths
    staged = fold_facts([page("/basket", 0), signal(EventType.CHECKOUT_STAGE, 1, "/basket")])
    assert staged.in_checkout
    assert not fold_facts(
        [page("/basket", 0), signal(EventType.CHECKOUT_STAGE, 1, "/basket"), page("/", 2)]
    ).in_checkout


def test_a_purchase_empties_the_cart() -> None:
    facts = fold_facts([add(0), signal(EventType.PURCHASE, 5, "/thanks", value=30, currency="USD")])
    assert facts.cart_quantity == 0
    assert facts.purchased_at == at(5)


def test_the_widgets_events_are_not_the_shoppers_activity() -> None:
    facts = fold_facts(
        [
            exit_intent(0),
            shown(0.5, "nudg_1", NudgeType.EXIT_MODAL),
            dismissed(3, "nudg_1"),
            shown(4, "nudg_2", NudgeType.STICKY_BAR),
            dismissed(5, "nudg_2"),
            signal(EventType.NUDGE_CLICKED, 6, nudge_id="nudg_3"),
        ]
    )
    assert facts.last_activity_at == facts.exit_at == at(0)
    assert dict(facts.nudges_shown) == {"nudg_1": "exit_modal", "nudg_2": "sticky_bar"}
    assert facts.dismissed == {"nudg_1", "nudg_2"}
    assert facts.reacted == {"nudg_1", "nudg_2", "nudg_3"}
    assert facts.sticky_bar_dismissed


def test_payloads_the_engine_cannot_read_change_nothing_but_the_clock() -> None:
    start = fold_facts([page(PRODUCT, 0)])
    odd = [
        Event(EventType.PRODUCT_VIEW, at(1), PRODUCT, {"product_id": 7}),
        Event(EventType.ADD_TO_CART, at(2), PRODUCT, {"product_id": "a", "price": "1"}),
        Event(EventType.SCROLL_DEPTH, at(3), PRODUCT, {"depth": True}),
        Event(EventType.IDLE, at(4), PRODUCT, {"seconds": -3}),
        Event(EventType.NUDGE_SHOWN, at(5), PRODUCT, {"nudge_id": "nudg_1"}),
    ]
    facts = fold_facts(odd, start.state())
    assert facts.product is None
    assert facts.cart_quantity == 0 and not facts.ever_added
    assert (facts.scroll_depth, facts.idle_at, dict(facts.nudges_shown)) == (0, None, {})
    assert facts.last_activity_at == at(4)


def test_a_state_of_another_format_must_be_refolded() -> None:
    with pytest.raises(ValueError, match="format"):
        SessionFacts.from_state({**SessionFacts().state(), "format": 0})


# -- resumable: split anywhere, through JSON, equals one fold -----------------------------------

URLS = ("/", PRODUCT, "/products/sock?size=m", "/cart", "/checkout/payment", "/account")
junk = st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.floats(), st.integers())
# Whole payloads of the kinds the engine reads (any may land on any event type), or junk.
PAYLOADS: tuple[dict[str, Any], ...] = (
    {},
    {"product_id": "shoe", "product_name": "Trail Shoe", "price": 30, "currency": "USD"},
    {"product_id": "shoe", "price": 30, "currency": "USD", "quantity": 2, "stock": 3},
    {"product_id": "sock", "price": 4.5, "currency": "EUR", "quantity": 1, "stock": 0},
    {"product_id": "sock", "price": 0.1, "currency": "USD", "quantity": 3},
    {"depth": 25},
    {"depth": 75},
    {"depth": 100},
    {"seconds": 31},
    {"seconds": 90},
    {"stage": "payment"},
    {"value": 30, "currency": "USD", "item_count": 1},
    {"nudge_id": "nudg_1", "type": "toast"},
    {"nudge_id": "nudg_2", "type": "sticky_bar"},
    {"nudge_id": "nudg_1"},
    {"nudge_id": "nudg_2"},
)
KEYS = ("product_id", "product_name", "price", "quantity", "stock", "depth", "seconds", "nudge_id")
payloads = st.one_of(
    st.sampled_from(PAYLOADS), st.dictionaries(st.sampled_from(KEYS), junk, max_size=2)
)


@st.composite
def sessions(draw: st.DrawFn) -> list[Event]:
    events, moment = [], at(0)
    for _ in range(draw(st.integers(0, 30))):
        moment += draw(st.integers(0, 90_000))
        kind = draw(st.sampled_from(EVENT_TYPES))
        events.append(Event(kind, moment, draw(st.sampled_from(URLS)), draw(payloads)))
    return events


def _through_json(state: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(state))
    return loaded


@given(events=sessions(), data=st.data())
def test_folding_in_two_parts_through_a_saved_state_is_one_fold(
    events: list[Event], data: st.DataObject
) -> None:
    split = data.draw(st.integers(0, len(events)))
    first = fold_facts(events[:split])
    resumed = fold_facts(events[split:], _through_json(first.state()))
    whole = fold_facts(events)
    assert resumed == whole
    assert resumed.state() == whole.state()


@given(events=sessions())
def test_folding_one_event_at_a_time_is_one_fold(events: list[Event]) -> None:
    state = None
    for event in events:
        state = _through_json(fold_facts([event], state).state())
    assert fold_facts([], state) == fold_facts(events)


@given(events=sessions())
def test_the_fold_is_step_after_step(events: list[Event]) -> None:
    """`fold_facts` changes one private draft in place; `step` makes new facts each time."""
    stepped = [SessionFacts()]
    for event in events:
        stepped.append(step(stepped[-1], event))
    states_before = [facts.state() for facts in stepped]
    assert fold_facts(events) == stepped[-1]
    assert [facts.state() for facts in stepped] == states_before  # nothing shared was changed
