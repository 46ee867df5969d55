"""The triggers: for each rule, the situation it answers and the time of the signal that
created that situation.

Two kinds of signal:
- a *moment* (exit intent, an idle spell) counts only while it is the session's latest activity:
  once the shopper does anything else the moment has passed, and a nudge shown then, after a
  cooldown say, would answer something that is over;
- a *state* (a cart removal followed by browsing, a cart below the free-shipping threshold, a
  product page with low stock, popular, deeply read or seen by a returning visitor) counts for
  as long as it holds: a state that could not be answered during a cooldown is answered after it.

Either way the decision answers a signal once: a trigger fires only for a signal newer than the
session's last proactive offer (decide.py), so one exit intent is never answered twice, and one
product page view gets one product-page nudge at most.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from elnudge.engine.facts import SessionFacts
from elnudge.engine.settings import EngineSettings
from elnudge.engine.situation import Situation, is_proactive
from elnudge.engine.thresholds import (
    CHECKOUT_PATH_MARK,
    DEEP_SCROLL_MIN_DEPTH,
    EXIT_MIN_INTENT,
    IDLE_MIN_SECONDS,
    LOW_STOCK_MAX,
    POPULAR_MIN_VIEWERS,
    POPULAR_WINDOW_MS,
    Reason,
    Rule,
)
from elnudge.vocabulary import NudgeType

SignalTime = Callable[[Situation, EngineSettings], "int | None"]


@dataclass(frozen=True, slots=True)
class Trigger:
    rule: Rule
    type: NudgeType
    signal: SignalTime  # the signal's time while the situation holds, else None
    situation: str  # what it answers, for the docs
    once_per_session: Reason | None = None  # the reason when an earlier offer used it up

    @property
    def proactive(self) -> bool:
        return is_proactive(self.type)


def free_shipping_gap(facts: SessionFacts, settings: EngineSettings) -> Decimal | None:
    """What the cart lacks to reach free shipping, when it has items in the threshold's
    currency and is below it; else None."""
    threshold = settings.free_shipping_threshold
    if threshold is None or facts.cart_quantity == 0:
        return None
    total = facts.cart_total
    if total.currency != settings.free_shipping_currency or total.value >= threshold:
        return None
    return threshold - total.value


def _latest(facts: SessionFacts, at: int | None) -> int | None:
    """A moment's time, while nothing has happened since."""
    return at if at is not None and at == facts.last_activity_at else None


def _exit_intent(situation: Situation, settings: EngineSettings) -> int | None:
    facts = situation.facts
    worth_it = facts.cart_quantity > 0 or situation.intent_score >= EXIT_MIN_INTENT
    return _latest(facts, facts.exit_at) if worth_it else None


def _idle_on_product(situation: Situation, settings: EngineSettings) -> int | None:
    facts = situation.facts
    if not facts.on_product_page or facts.idle_seconds < IDLE_MIN_SECONDS:
        return None
    return _latest(facts, facts.idle_at)


def _cart_removal(situation: Situation, settings: EngineSettings) -> int | None:
    facts = situation.facts
    return facts.removed_at if facts.browsed_after_removal else None


def _free_shipping(situation: Situation, settings: EngineSettings) -> int | None:
    facts = situation.facts
    return facts.cart_changed_at if free_shipping_gap(facts, settings) is not None else None


def _low_stock(situation: Situation, settings: EngineSettings) -> int | None:
    facts = situation.facts
    stock = facts.product.stock if facts.product is not None else None
    low = stock is not None and 0 < stock <= LOW_STOCK_MAX
    return facts.product_page_since if low else None


def _popular_product(situation: Situation, settings: EngineSettings) -> int | None:
    popular = situation.viewers >= POPULAR_MIN_VIEWERS
    return situation.facts.product_page_since if popular else None


def _deep_scroll(situation: Situation, settings: EngineSettings) -> int | None:
    facts = situation.facts
    if not facts.on_product_page or facts.ever_added:
        return None
    return facts.deep_scroll_at


def _returning_visitor(situation: Situation, settings: EngineSettings) -> int | None:
    return situation.facts.product_page_since if situation.returning_visitor else None


def _checkout(situation: Situation, settings: EngineSettings) -> int | None:
    facts = situation.facts
    return facts.last_activity_at if facts.in_checkout else None


_MINUTES: Final = POPULAR_WINDOW_MS // 60_000
_TABLE: Final = (
    Trigger(
        Rule.EXIT_INTENT,
        NudgeType.EXIT_MODAL,
        _exit_intent,
        f"`EXIT_INTENT` (moment) with items in the cart, or intent ≥ {EXIT_MIN_INTENT}; "
        "once per session",
        once_per_session=Reason.EXIT_MODAL_USED,
    ),
    Trigger(
        Rule.IDLE_ON_PRODUCT,
        NudgeType.CHAT_BUBBLE,
        _idle_on_product,
        f"`IDLE` (moment) of ≥ {IDLE_MIN_SECONDS} s on a product page",
    ),
    Trigger(
        Rule.CART_REMOVAL,
        NudgeType.CHAT_BUBBLE,
        _cart_removal,
        "`REMOVE_FROM_CART`, then a `PAGE_VIEW` (browsing on); signal: the removal",
    ),
    Trigger(
        Rule.FREE_SHIPPING,
        NudgeType.TOAST,
        _free_shipping,
        "items in the cart, all in the threshold's currency, worth less than the "
        "site's free-shipping threshold; signal: the latest cart change",
    ),
    Trigger(
        Rule.LOW_STOCK,
        NudgeType.TOAST,
        _low_stock,
        f"a product page whose `PRODUCT_VIEW` says 1 ≤ `stock` ≤ {LOW_STOCK_MAX}; "
        "signal: entering the page",
    ),
    Trigger(
        Rule.POPULAR_PRODUCT,
        NudgeType.TOAST,
        _popular_product,
        f"a product page that ≥ {POPULAR_MIN_VIEWERS} other live sessions viewed in the "
        f"last {_MINUTES} minutes; signal: entering the page",
    ),
    Trigger(
        Rule.DEEP_SCROLL,
        NudgeType.CHAT_BUBBLE,
        _deep_scroll,
        f"a product page scrolled ≥ {DEEP_SCROLL_MIN_DEPTH}% with nothing ever added "
        "to the cart in the session; signal: the scroll",
    ),
    Trigger(
        Rule.RETURNING_VISITOR,
        NudgeType.TOAST,
        _returning_visitor,
        "a product page, for a visitor with an earlier session (same `visitor_id`); "
        "once per session",
        once_per_session=Reason.ALREADY_WELCOMED,
    ),
    Trigger(
        Rule.CHECKOUT,
        NudgeType.STICKY_BAR,
        _checkout,
        f"a checkout page: its path contains `{CHECKOUT_PATH_MARK}`, or a "
        "`CHECKOUT_STAGE` was reported on it",
    ),
)
# In `Rule` order, which is the priority order.
TRIGGERS: Final[Mapping[Rule, Trigger]] = MappingProxyType(
    {rule: next(t for t in _TABLE if t.rule == rule) for rule in Rule}
)
PROACTIVE_TRIGGERS: Final = tuple(t for t in TRIGGERS.values() if t.proactive)
