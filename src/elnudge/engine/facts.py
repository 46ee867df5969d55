"""What the engine knows about a session: one left fold over its events, oldest first.

Each event maps the facts to new facts (`step`); nothing else is read, so the facts after a
session's events never depend on when they were folded. `SessionFacts.state()` is JSON-ready
and `fold_facts(more, state)` continues from it exactly: ingestion stores the state and folds
only the new events (which must be later than the folded ones; a late event means folding the
session again from its first event, as for the session summary).

What counts as what, where the event list alone cannot say:
- The current page is the latest `PAGE_VIEW`'s path (before any, the latest event's path).
  Paths never carry the query or the fragment.
- A product page is the current page when the latest `PRODUCT_VIEW` happened on that path. A
  `PAGE_VIEW` to another path forgets the product; one to the same path (a reload, or the SDK's
  page view arriving after the store's product view) keeps it.
- Scroll depth and idleness belong to the current page: every `PAGE_VIEW` resets them.
- The cart is what this session added and removed (lines by `product_id`); a cart the
  storefront kept from an earlier visit is unknown here. A `PURCHASE` empties it.
- A checkout page is a path containing `/checkout`, or the path of the latest `CHECKOUT_STAGE`.
- Each signal keeps its time, so the decision can tell a signal it already answered from a new
  one; `last_activity_at` is the latest event that is not the widget's own (`NUDGE_*`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from elnudge.engine.thresholds import CHECKOUT_PATH_MARK, DEEP_SCROLL_MIN_DEPTH
from elnudge.vocabulary import NUDGE_EVENTS, Event, EventType, NudgeType

STATE_FORMAT: Final = 1  # bump when the state's layout changes; older states are refolded
FactsState = dict[str, Any]
Changes = dict[str, Any]  # the fields one event changes
_NO_LINES: Final[Mapping[str, CartLine]] = MappingProxyType({})
_NO_NUDGES: Final[Mapping[str, str]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Product:
    """The product of the latest `PRODUCT_VIEW`, with the optional details it carried."""

    product_id: str
    name: str | None
    price: float | None
    currency: str | None
    stock: int | None
    path: str
    viewed_at: int


@dataclass(frozen=True, slots=True)
class CartLine:
    quantity: int
    price: float
    currency: str
    name: str | None


@dataclass(frozen=True, slots=True)
class CartTotal:
    value: Decimal
    currency: str | None  # None when the lines are in different currencies


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """Everything the decision needs from a session's events. Never mutated: `step` makes new
    facts, so facts can be shared and compared freely."""

    last_activity_at: int | None = None
    last_path: str | None = None
    page_path: str | None = None
    page_viewed_at: int | None = None
    product: Product | None = None
    cart: Mapping[str, CartLine] = field(default_factory=lambda: _NO_LINES)
    ever_added: bool = False
    cart_changed_at: int | None = None
    removed_at: int | None = None
    browsed_after_removal: bool = False
    scroll_depth: int = 0
    deep_scroll_at: int | None = None
    idle_seconds: int = 0
    idle_at: int | None = None
    exit_at: int | None = None
    checkout_path: str | None = None
    purchased_at: int | None = None
    nudges_shown: Mapping[str, str] = field(
        default_factory=lambda: _NO_NUDGES
    )  # nudge id -> nudge type
    dismissed: frozenset[str] = frozenset()  # nudge ids
    reacted: frozenset[str] = frozenset()  # nudge ids clicked, dismissed or chat-opened

    @property
    def current_path(self) -> str | None:
        return self.page_path if self.page_path is not None else self.last_path

    @property
    def on_product_page(self) -> bool:
        return self.product is not None and self.product.path == self.current_path

    @property
    def product_page_since(self) -> int | None:
        """When the current product page was (re)entered: the product view or the page view,
        whichever came later; None off product pages."""
        if self.product is None or not self.on_product_page:
            return None
        if self.page_viewed_at is None:
            return self.product.viewed_at
        return max(self.product.viewed_at, self.page_viewed_at)

    @property
    def cart_quantity(self) -> int:
        return sum(line.quantity for line in self.cart.values())

    @property
    def cart_total(self) -> CartTotal:
        currencies = {line.currency for line in self.cart.values()}
        value = sum(
            (_decimal(line.price) * line.quantity for line in self.cart.values()), Decimal()
        )
        return CartTotal(value, currencies.pop() if len(currencies) == 1 else None)

    @property
    def in_checkout(self) -> bool:
        path = self.current_path
        return path is not None and (CHECKOUT_PATH_MARK in path or path == self.checkout_path)

    @property
    def sticky_bar_dismissed(self) -> bool:
        return any(self.nudges_shown.get(i) == NudgeType.STICKY_BAR for i in self.dismissed)

    def state(self) -> FactsState:
        """The facts as JSON-ready data (`fold_facts(events, state)` continues from it)."""
        return {
            "format": STATE_FORMAT,
            **{name: getattr(self, name) for name in _SCALARS},
            "product": None if self.product is None else _fields(self.product),
            "cart": {key: _fields(line) for key, line in sorted(self.cart.items())},
            "nudges_shown": dict(sorted(self.nudges_shown.items())),
            "dismissed": sorted(self.dismissed),
            "reacted": sorted(self.reacted),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> SessionFacts:
        """Facts saved by `state()`. A state of another format is a ValueError: fold the
        session's events again instead."""
        if state.get("format") != STATE_FORMAT:
            raise ValueError(f"facts state format {state.get('format')!r} is not {STATE_FORMAT}")
        product = state["product"]
        return cls(
            **{name: state[name] for name in _SCALARS},
            product=None if product is None else Product(**product),
            cart=MappingProxyType({k: CartLine(**line) for k, line in state["cart"].items()}),
            nudges_shown=MappingProxyType(dict(state["nudges_shown"])),
            dismissed=frozenset(state["dismissed"]),
            reacted=frozenset(state["reacted"]),
        )


_SCALARS: Final = (
    "last_activity_at",
    "last_path",
    "page_path",
    "page_viewed_at",
    "ever_added",
    "cart_changed_at",
    "removed_at",
    "browsed_after_removal",
    "scroll_depth",
    "deep_scroll_at",
    "idle_seconds",
    "idle_at",
    "exit_at",
    "checkout_path",
    "purchased_at",
)


def fold_facts(events: Iterable[Event], state: Mapping[str, Any] | None = None) -> SessionFacts:
    """The facts after `events` (oldest first), continuing from a saved `state` if given.

    The same as `step` after `step`, but each event's changes are set on one draft that no one
    else sees until it is returned: a `replace` per event (a 20-field frozen `__init__`) was
    most of ingestion's folding time."""
    draft = SessionFacts() if state is None else SessionFacts.from_state(state)
    for event in events:
        for name, value in _changes(draft, event).items():
            object.__setattr__(draft, name, value)
    return draft


def step(facts: SessionFacts, event: Event) -> SessionFacts:
    """The facts after one more event."""
    changes = _changes(facts, event)
    return replace(facts, **changes) if changes else facts


def _changes(facts: SessionFacts, event: Event) -> Changes:
    changes = _STEPS.get(event.type, _unchanged)(facts, event)
    if event.type not in NUDGE_EVENTS:
        changes["last_activity_at"] = event.occurred_at
        changes["last_path"] = _path(event)
    return changes


# -- one function per event type: each returns the fields that change ---------------------------


def _page_view(facts: SessionFacts, event: Event) -> Changes:
    path = _path(event)
    product = facts.product
    return {
        "page_path": path,
        "page_viewed_at": event.occurred_at,
        "product": product if product is not None and product.path == path else None,
        "browsed_after_removal": facts.removed_at is not None,
        "scroll_depth": 0,
        "deep_scroll_at": None,
        "idle_seconds": 0,
        "idle_at": None,
    }


def _product_view(facts: SessionFacts, event: Event) -> Changes:
    product_id = _text(event.data.get("product_id"))
    if product_id is None:
        return {}
    product = Product(
        product_id=product_id,
        name=_text(event.data.get("product_name")),
        price=_amount(event.data.get("price")),
        currency=_text(event.data.get("currency")),
        stock=_count(event.data.get("stock")),
        path=_path(event),
        viewed_at=event.occurred_at,
    )
    return {"product": product}


def _add_to_cart(facts: SessionFacts, event: Event) -> Changes:
    line = _cart_line(event.data)
    if line is None:
        return {}
    product_id, added = line
    held = facts.cart.get(product_id)
    quantity = added.quantity + (held.quantity if held is not None else 0)
    cart = {**facts.cart, product_id: replace(added, quantity=quantity)}
    return {
        "cart": MappingProxyType(cart),
        "ever_added": True,
        "cart_changed_at": event.occurred_at,
    }


def _remove_from_cart(facts: SessionFacts, event: Event) -> Changes:
    line = _cart_line(event.data)
    if line is None:
        return {}
    product_id, removed = line
    cart = dict(facts.cart)
    held = cart.pop(product_id, None)
    if held is not None and held.quantity > removed.quantity:
        cart[product_id] = replace(held, quantity=held.quantity - removed.quantity)
    return {
        "cart": MappingProxyType(cart),
        "cart_changed_at": event.occurred_at,
        "removed_at": event.occurred_at,
        "browsed_after_removal": False,
    }


def _scroll(facts: SessionFacts, event: Event) -> Changes:
    depth = _count(event.data.get("depth"))
    if depth is None or depth <= facts.scroll_depth:
        return {}
    deep = facts.deep_scroll_at
    if deep is None and depth >= DEEP_SCROLL_MIN_DEPTH:
        deep = event.occurred_at
    return {"scroll_depth": depth, "deep_scroll_at": deep}


def _idle(facts: SessionFacts, event: Event) -> Changes:
    seconds = _count(event.data.get("seconds"))
    if seconds is None:
        return {}
    return {"idle_seconds": seconds, "idle_at": event.occurred_at}


def _exit_intent(facts: SessionFacts, event: Event) -> Changes:
    return {"exit_at": event.occurred_at}


def _checkout_stage(facts: SessionFacts, event: Event) -> Changes:
    return {"checkout_path": _path(event)}


def _purchase(facts: SessionFacts, event: Event) -> Changes:
    first = facts.purchased_at is None
    return {"purchased_at": event.occurred_at if first else facts.purchased_at, "cart": _NO_LINES}


def _nudge_shown(facts: SessionFacts, event: Event) -> Changes:
    nudge_id = _text(event.data.get("nudge_id"))
    kind = _text(event.data.get("type"))
    if nudge_id is None or kind is None or nudge_id in facts.nudges_shown:
        return {}  # the first report of a nudge says what it is, as in its outcome
    return {"nudges_shown": MappingProxyType({**facts.nudges_shown, nudge_id: kind})}


def _nudge_dismissed(facts: SessionFacts, event: Event) -> Changes:
    nudge_id = _text(event.data.get("nudge_id"))
    if nudge_id is None:
        return {}
    return {"dismissed": facts.dismissed | {nudge_id}, "reacted": facts.reacted | {nudge_id}}


def _nudge_engaged(facts: SessionFacts, event: Event) -> Changes:
    nudge_id = _text(event.data.get("nudge_id"))
    return {} if nudge_id is None else {"reacted": facts.reacted | {nudge_id}}


def _unchanged(facts: SessionFacts, event: Event) -> Changes:
    """CLICK, ELEMENT_HOVER, CUSTOM: activity only (recorded in `step`)."""
    return {}


_STEPS: Final[dict[str, Callable[[SessionFacts, Event], Changes]]] = {
    EventType.PAGE_VIEW: _page_view,
    EventType.PRODUCT_VIEW: _product_view,
    EventType.ADD_TO_CART: _add_to_cart,
    EventType.REMOVE_FROM_CART: _remove_from_cart,
    EventType.SCROLL_DEPTH: _scroll,
    EventType.IDLE: _idle,
    EventType.EXIT_INTENT: _exit_intent,
    EventType.CHECKOUT_STAGE: _checkout_stage,
    EventType.PURCHASE: _purchase,
    EventType.NUDGE_SHOWN: _nudge_shown,
    EventType.NUDGE_DISMISSED: _nudge_dismissed,
    EventType.NUDGE_CLICKED: _nudge_engaged,
    EventType.NUDGE_CHAT_OPENED: _nudge_engaged,
}


# -- payload readers: validated events always pass, anything else is ignored, never raised ------


def _path(event: Event) -> str:
    return event.path.split("#", 1)[0] or "/"


def _cart_line(data: Mapping[str, Any]) -> tuple[str, CartLine] | None:
    product_id = _text(data.get("product_id"))
    price = _amount(data.get("price"))
    currency = _text(data.get("currency"))
    quantity = _count(data.get("quantity"))
    if product_id is None or price is None or currency is None or not quantity:
        return None
    return product_id, CartLine(quantity, price, currency, _text(data.get("product_name")))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _count(value: object) -> int | None:
    """A non-negative whole number (JSON's 3.0 included), else None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _amount(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _decimal(value: float) -> Decimal:
    """A price as the decimal it was written as (`repr` of a float is its shortest form)."""
    return Decimal(repr(value))


def _fields(value: Product | CartLine) -> dict[str, Any]:
    """A flat dataclass's fields (`asdict` copies recursively, at several times the cost)."""
    return {name: getattr(value, name) for name in value.__slots__}
