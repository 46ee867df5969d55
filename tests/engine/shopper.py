"""A shopper's events and the situations they make, written the way the tests read best.

Times are milliseconds after `T0`; every builder takes keyword arguments for what a test varies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from elnudge.engine import Offer, SessionFacts, Situation, fold_facts
from elnudge.engine.thresholds import Rule
from elnudge.vocabulary import Event, EventType, Mode, NudgeType

T0 = 1_777_000_000_000  # an epoch-ms moment in 2026
SECOND = 1_000
PRODUCT = "/products/trail-shoe"


def at(seconds: float) -> int:
    """The time `seconds` after T0."""
    return T0 + round(seconds * SECOND)


def page(url: str, seconds: float) -> Event:
    return Event(EventType.PAGE_VIEW, at(seconds), url)


def product(
    seconds: float,
    url: str = PRODUCT,
    *,
    product_id: str = "shoe",
    name: str | None = "Trail Shoe",
    stock: int | None = None,
    price: float = 89.0,
) -> Event:
    data: dict[str, Any] = {"product_id": product_id, "price": price, "currency": "USD"}
    if name is not None:
        data["product_name"] = name
    if stock is not None:
        data["stock"] = stock
    return Event(EventType.PRODUCT_VIEW, at(seconds), url, data)


def cart(
    kind: str,
    seconds: float,
    *,
    product_id: str = "shoe",
    price: float = 30.0,
    quantity: int = 1,
    currency: str = "USD",
    url: str = PRODUCT,
) -> Event:
    data = {
        "product_id": product_id,
        "product_name": product_id.title(),
        "price": price,
        "currency": currency,
        "quantity": quantity,
    }
    return Event(kind, at(seconds), url, data)


def add(seconds: float, **details: Any) -> Event:
    return cart(EventType.ADD_TO_CART, seconds, **details)


def remove(seconds: float, **details: Any) -> Event:
    return cart(EventType.REMOVE_FROM_CART, seconds, **details)


def signal(kind: str, when: float, url: str = PRODUCT, **data: Any) -> Event:
    """Any event `when` seconds after T0 (`seconds` is IDLE's payload)."""
    return Event(kind, at(when), url, data)


def idle(seconds: float, idle_for: int = 30, url: str = PRODUCT) -> Event:
    return signal(EventType.IDLE, seconds, url, seconds=idle_for)


def scroll(seconds: float, depth: int, url: str = PRODUCT) -> Event:
    return signal(EventType.SCROLL_DEPTH, seconds, url, depth=depth)


def exit_intent(seconds: float, url: str = PRODUCT) -> Event:
    return signal(EventType.EXIT_INTENT, seconds, url)


def shown(seconds: float, nudge_id: str, kind: str, url: str = PRODUCT) -> Event:
    return signal(EventType.NUDGE_SHOWN, seconds, url, nudge_id=nudge_id, type=kind)


def dismissed(seconds: float, nudge_id: str, url: str = PRODUCT) -> Event:
    return signal(EventType.NUDGE_DISMISSED, seconds, url, nudge_id=nudge_id)


def offer(
    nudge_id: str,
    seconds: float,
    rule: Rule = Rule.LOW_STOCK,
    kind: NudgeType = NudgeType.TOAST,
    *,
    held_out: bool = False,
) -> Offer:
    return Offer(nudge_id, kind, rule, at(seconds), held_out)


def situation(
    events: Sequence[Event] = (),
    *,
    now: float | None = None,
    facts: SessionFacts | None = None,
    **fields: Any,
) -> Situation:
    """A live, human, unremarkable session's situation after `events`, decided `now` (by
    default, at the last event)."""
    folded = fold_facts(events) if facts is None else facts
    last = max((event.occurred_at for event in events), default=T0)
    base = Situation(
        now_ms=last if now is None else at(now),
        mode=Mode.LIVE,
        is_bot=False,
        facts=folded,
        intent_score=0,
        offers=(),
        returning_visitor=False,
        viewers=0,
        held_out=False,
        within_allowance=True,
    )
    return replace(base, **fields)
