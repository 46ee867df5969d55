"""Each trigger of the engine, with the edges of its situation."""

from __future__ import annotations

from typing import Any

import pytest

from elnudge.engine import Decision, EngineSettings, Reason, Rule, decide, parse_settings
from elnudge.vocabulary import Event, EventType, NudgeType
from tests.engine.shopper import (
    PRODUCT,
    add,
    exit_intent,
    idle,
    offer,
    page,
    product,
    remove,
    scroll,
    signal,
    situation,
)

VIEWED = [page(PRODUCT, 0), product(1)]  # a product page, nothing remarkable about it
FREE_SHIPPING = parse_settings({"free_shipping_threshold": 50, "free_shipping_currency": "USD"})


def decided(events: list[Event], settings: EngineSettings | None = None, **fields: Any) -> Decision:
    return decide(situation(events, **fields), settings or EngineSettings())


def fired(decision: Decision) -> tuple[Rule, NudgeType, str]:
    assert decision.nudge is not None, decision.reasons
    return decision.rule, decision.nudge.type, decision.nudge.message  # type: ignore[return-value]


def test_a_plain_product_page_gets_nothing() -> None:
    decision = decided(VIEWED)
    assert (decision.nudge, decision.rule, decision.reasons) == (None, None, (Reason.NO_TRIGGER,))


# -- exit intent -----------------------------------------------------------------------------------


def test_exit_intent_with_items_in_the_cart() -> None:
    assert fired(decided([*VIEWED, add(5), exit_intent(9)])) == (
        Rule.EXIT_INTENT,
        NudgeType.EXIT_MODAL,
        "Wait — your cart is saved. Need a hand before you go?",
    )


@pytest.mark.parametrize(("score", "fires"), [(40, True), (39, False)])
def test_exit_intent_with_an_empty_cart_needs_intent(score: int, fires: bool) -> None:
    decision = decided([*VIEWED, exit_intent(9)], intent_score=score)
    assert (decision.rule == Rule.EXIT_INTENT) is fires
    if fires:
        assert fired(decision)[2] == "Wait — need a hand before you go?"


def test_an_exit_intent_the_shopper_came_back_from_is_over() -> None:
    events = [*VIEWED, add(5), exit_intent(9), signal(EventType.CLICK, 10, tag="a")]
    assert decided(events).rule is None
    widget = [*VIEWED, add(5), exit_intent(9), signal(EventType.NUDGE_SHOWN, 10, nudge_id="x")]
    assert decided(widget).rule == Rule.EXIT_INTENT  # the widget's own events are not activity


# -- idle on a product page ------------------------------------------------------------------------


@pytest.mark.parametrize(("idle_for", "fires"), [(30, True), (29, False), (300, True)])
def test_idle_on_a_product_page(idle_for: int, fires: bool) -> None:
    decision = decided([*VIEWED, idle(40, idle_for)])
    if fires:
        assert fired(decision) == (
            Rule.IDLE_ON_PRODUCT,
            NudgeType.CHAT_BUBBLE,
            "Any questions about Trail Shoe? I'm happy to help",
        )
    else:
        assert decision.reasons == (Reason.NO_TRIGGER,)


def test_idle_elsewhere_or_then_active_is_no_trigger() -> None:
    assert decided([page("/collections/all", 0), idle(40, url="/collections/all")]).rule is None
    assert decided([*VIEWED, idle(40), scroll(41, 25)]).rule is None


def test_idle_on_an_unnamed_product_still_reads_well() -> None:
    decision = decided([page(PRODUCT, 0), product(1, name=None), idle(40)])
    assert fired(decision)[2] == "Any questions about this product? I'm happy to help"


# -- a cart removal, then browsing on --------------------------------------------------------------


def test_a_removal_followed_by_browsing() -> None:
    removed = [page("/cart", 0), add(1, url="/cart"), remove(5, url="/cart")]
    assert decided(removed).rule is None  # not yet: the shopper has not browsed on
    assert fired(decided([*removed, page("/collections/all", 8)])) == (
        Rule.CART_REMOVAL,
        NudgeType.CHAT_BUBBLE,
        "Changed your mind? I can help you compare",
    )


# -- free shipping ---------------------------------------------------------------------------------


def test_a_cart_below_free_shipping() -> None:
    decision = decided([*VIEWED, add(5, price=19, quantity=2)], FREE_SHIPPING)
    assert fired(decision) == (
        Rule.FREE_SHIPPING,
        NudgeType.TOAST,
        "Free shipping — you're $12 away",
    )
    assert decision.nudge is not None
    assert "$12 away from free shipping" in decision.nudge.opening_message


@pytest.mark.parametrize(
    "cart",
    [
        [add(5, price=50)],  # at the threshold: shipping is free
        [add(5, price=20, currency="EUR")],  # another currency
        [add(5, price=20), add(6, product_id="b", price=5, currency="EUR")],  # mixed
        [add(5, price=20), remove(6, price=20)],  # empty again
    ],
)
def test_no_free_shipping_nudge_when_it_does_not_apply(cart: list[Event]) -> None:
    decision = decided([page("/", 0), *cart], FREE_SHIPPING)
    assert decision.rule != Rule.FREE_SHIPPING


def test_no_threshold_no_free_shipping_nudge() -> None:
    assert decided([page("/", 0), add(5, price=20)]).rule is None


# -- low stock, popular product, deep scroll, returning visitor ------------------------------------


@pytest.mark.parametrize(("stock", "fires"), [(1, True), (5, True), (6, False), (0, False)])
def test_low_stock(stock: int, fires: bool) -> None:
    decision = decided([page(PRODUCT, 0), product(1, stock=stock)])
    assert (decision.rule == Rule.LOW_STOCK) is fires
    if fires:
        assert fired(decision)[2] == f"Only {stock} left in stock"


@pytest.mark.parametrize(("viewers", "fires"), [(3, True), (2, False)])
def test_a_popular_product(viewers: int, fires: bool) -> None:
    decision = decided(VIEWED, viewers=viewers)
    assert (decision.rule == Rule.POPULAR_PRODUCT) is fires
    if fires:
        assert fired(decision)[2] == "3 other shoppers viewed this in the last 5 minutes"


@pytest.mark.parametrize(("depth", "fires"), [(75, True), (100, True), (50, False)])
def test_a_deep_read_without_a_cart(depth: int, fires: bool) -> None:
    decision = decided([*VIEWED, scroll(20, depth)])
    assert (decision.rule == Rule.DEEP_SCROLL) is fires
    if fires:
        assert fired(decision)[:2] == (Rule.DEEP_SCROLL, NudgeType.CHAT_BUBBLE)


def test_a_deep_read_after_adding_to_the_cart_is_no_trigger() -> None:
    events = [page("/", 0), add(1), page(PRODUCT, 2), product(3), scroll(20, 100)]
    assert decided(events).rule is None


def test_a_returning_visitor_on_a_product_page() -> None:
    assert fired(decided(VIEWED, returning_visitor=True)) == (
        Rule.RETURNING_VISITOR,
        NudgeType.TOAST,
        "Welcome back — good to see you again",
    )
    assert decided([page("/", 0)], returning_visitor=True).rule is None


def test_a_returning_visitor_is_welcomed_once() -> None:
    events = [*VIEWED, page("/products/sock", 200), product(201, "/products/sock")]
    welcomed = (offer("nudg_1", 2, Rule.RETURNING_VISITOR),)
    decision = decided(events, returning_visitor=True, offers=welcomed)
    assert decision.reasons == (Reason.ALREADY_WELCOMED,)


# -- the checkout sticky bar -----------------------------------------------------------------------


def test_the_sticky_bar_on_checkout_pages() -> None:
    decision = decided([page("/checkout/shipping", 0)])
    assert fired(decision) == (
        Rule.CHECKOUT,
        NudgeType.STICKY_BAR,
        "Have a question about your order? Chat with Maya →",
    )
    assert decision.nudge is not None and decision.nudge.existing_nudge_id is None
    staged = [page("/basket", 0), signal(EventType.CHECKOUT_STAGE, 1, "/basket", stage="cart")]
    assert decided(staged).rule == Rule.CHECKOUT
