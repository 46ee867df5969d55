"""One simulated visit, step by step: its clock, the page it is on, and the envelopes it emits.

The archetype scripts (`visits.py`) drive a `Journey` through small verbs (land, view a product,
add to cart, ...); the journey turns each into SDK envelopes exactly as the API receives them.
"""

from __future__ import annotations

import random
from typing import Any, Final

from ulid import ULID

from elnudge.ids import BASE62
from elnudge.simulate.catalogue import CURRENCY, Product
from elnudge.timestamps import format_timestamp_ms
from elnudge.vocabulary import EventType

Envelope = dict[str, Any]

STAGES: Final = ("cart", "checkout", "payment", "review")
STAGE_PATHS: Final = ("/cart", "/checkout", "/checkout/payment", "/checkout/review")
THANK_YOU_PATH: Final = "/checkout/thank-you"

# A gap longer than a page read: the tab stayed open (lunch, a meeting), same client key.
IDLE_CHANCE: Final = 0.004
IDLE_RANGE_S: Final = (31 * 60, 150 * 60)
MAX_GAP_S: Final = 400.0  # nobody reads one page for longer; beyond that it is an idle tab

# What a visitor does with each nudge type: (outcome event or None, weight).
REACTIONS: Final[dict[str, tuple[tuple[str | None, float], ...]]] = {
    "toast": ((None, 0.5), (EventType.NUDGE_DISMISSED, 0.4), (EventType.NUDGE_CLICKED, 0.1)),
    "chat_bubble": (
        (None, 0.45),
        (EventType.NUDGE_DISMISSED, 0.3),
        (EventType.NUDGE_CLICKED, 0.1),
        (EventType.NUDGE_CHAT_OPENED, 0.15),
    ),
    "exit_modal": ((None, 0.3), (EventType.NUDGE_DISMISSED, 0.55), (EventType.NUDGE_CLICKED, 0.15)),
    "sticky_bar": ((None, 0.5), (EventType.NUDGE_DISMISSED, 0.3), (EventType.NUDGE_CLICKED, 0.2)),
}
_REACTION_CHOICES: Final[dict[str, tuple[tuple[str | None, ...], tuple[float, ...]]]] = {
    kind: (tuple(o for o, _ in pairs), tuple(p for _, p in pairs))
    for kind, pairs in REACTIONS.items()
}
ENGAGED: Final = frozenset({EventType.NUDGE_CLICKED, EventType.NUDGE_CHAT_OPENED})
MAX_DISMISSALS: Final = 2  # the engine stops nudging a session after two dismissals (§8)


def random_token(rng: random.Random, length: int) -> str:
    """`length` base62 characters from the seeded generator."""
    return "".join(rng.choices(BASE62, k=length))


class Journey:
    """The state of one visit while its script runs; `events` holds the envelopes so far."""

    def __init__(
        self,
        rng: random.Random,
        *,
        key: str,
        visitor_id: str | None,
        base_url: str,
        start_ms: int,
        end_ms: int,
        nudges_enabled: bool,
    ) -> None:
        self.rng = rng
        self.key = key
        self.visitor_id = visitor_id
        self.base_url = base_url.rstrip("/")
        self.now = start_ms
        self.end_ms = end_ms
        self.nudges_enabled = nudges_enabled
        self.events: list[Envelope] = []
        self.page = "/"
        self.cart: list[tuple[Product, int]] = []
        self.stage = 0  # number of checkout stages reached
        self.engaged = False
        self.purchased = False
        self._dismissals = 0
        self._idled = False

    # -- randomness, in the journey's own words ------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def wait(self, median_s: float, spread: float = 0.7) -> None:
        """Let time pass: a log-normal gap around `median_s`, occasionally a long idle."""
        gap = min(MAX_GAP_S, median_s * self.rng.lognormvariate(0.0, spread))
        if not self._idled and self.chance(IDLE_CHANCE):
            self._idled = True
            gap = self.rng.uniform(*IDLE_RANGE_S)
        self.now += max(1, int(gap * 1000))

    def pause_ms(self, low: int, high: int) -> None:
        """A short pause between two events of the same gesture (a view and its product event)."""
        self.now += self.rng.randint(low, high)

    # -- envelopes ------------------------------------------------------------------------------

    def emit(self, event: str, data: dict[str, Any]) -> None:
        """Append one envelope on the current page, unless it falls after the simulated window."""
        if self.now > self.end_ms:
            return
        envelope: Envelope = {
            "event_id": f"e_{self.rng.getrandbits(96):024x}",
            "session_id": self.key,
            "event": event,
            "ts": format_timestamp_ms(self.now),
            "url": self.base_url + self.page,
            "data": data,
        }
        if self.visitor_id is not None:
            envelope["visitor_id"] = self.visitor_id
        self.events.append(envelope)

    def visit(self, path: str, title: str, referrer: str | None = None) -> None:
        """A page view; `path` may carry a query string and a fragment."""
        self.page = path
        data: dict[str, Any] = {"title": title}
        if referrer is not None:
            data["referrer"] = referrer
        self.emit(EventType.PAGE_VIEW, data)

    def view_product(
        self, product: Product, path: str | None = None, referrer: str | None = None
    ) -> None:
        self.visit(path or product.url, f"{product.name} | Demo Shop", referrer)
        self.pause_ms(30, 400)
        self.emit(EventType.PRODUCT_VIEW, {"product_id": product.id})

    def scroll(self, max_depth: int) -> None:
        """Scroll events at each quarter reached, a few seconds apart."""
        for depth in (25, 50, 75, 100):
            if depth > max_depth:
                break
            self.wait(3.0)
            self.emit(EventType.SCROLL_DEPTH, {"depth": depth})

    def hover(self, selector: str) -> None:
        self.wait(2.0)
        self.emit(
            EventType.ELEMENT_HOVER,
            {"selector": selector, "duration_ms": self.rng.randint(250, 4500)},
        )

    def click(self, tag: str, classes: str, text: str) -> None:
        self.wait(1.5)
        self.emit(EventType.CLICK, {"tag": tag, "classes": classes, "text": text[:64]})

    def custom(self, name: str, **extra: Any) -> None:
        self.wait(2.0)
        self.emit(EventType.CUSTOM, {"name": name, **extra})

    def exit_intent(self) -> None:
        self.wait(4.0)
        self.emit(EventType.EXIT_INTENT, {})

    # -- cart and checkout ------------------------------------------------------------------------

    def add_to_cart(self, product: Product) -> None:
        quantity = 2 if self.chance(0.12) else 1
        self.click("button", "btn btn-primary add-to-cart", "Add to cart")
        self.pause_ms(50, 300)
        self.cart.append((product, quantity))
        self.emit(EventType.ADD_TO_CART, _line_item(product, quantity))

    def remove_from_cart(self) -> None:
        if not self.cart:
            return
        product, quantity = self.cart.pop(self.rng.randrange(len(self.cart)))
        self.wait(5.0)
        self.emit(EventType.REMOVE_FROM_CART, _line_item(product, quantity))

    def advance_checkout(self, stages: int) -> None:
        """Walk the checkout forward until `stages` stages are reached (cart=1 ... review=4)."""
        while self.stage < min(stages, len(STAGES)):
            self.wait(20.0 if self.stage else 6.0)
            path, stage = STAGE_PATHS[self.stage], STAGES[self.stage]
            if stage != "review":  # the review step is on the payment page
                self.visit(path, stage.title())
            self.pause_ms(20, 200)
            self.emit(EventType.CHECKOUT_STAGE, {"stage": stage})
            self.stage += 1
            if stage == "checkout":
                self.nudge("sticky_bar")

    def purchase(self) -> None:
        self.wait(15.0)
        value = round(sum(product.price * quantity for product, quantity in self.cart), 2)
        self.page = THANK_YOU_PATH
        self.emit(
            EventType.PURCHASE,
            {
                "value": value,
                "currency": CURRENCY,
                "item_count": sum(quantity for _, quantity in self.cart),
                "order_id": f"ORD-{self.rng.randrange(100_000, 1_000_000)}",
            },
        )
        self.purchased = self.purchased or self.now <= self.end_ms

    # -- nudges ---------------------------------------------------------------------------------

    def nudge(self, kind: str) -> str | None:
        """Show a nudge if the engine would, play the visitor's reaction, return that reaction."""
        if not self.nudges_enabled or self._dismissals >= MAX_DISMISSALS:
            return None
        self.pause_ms(300, 2500)
        nudge_id = self._nudge_id()
        self.emit(EventType.NUDGE_SHOWN, {"nudge_id": nudge_id, "type": kind})
        outcomes, weights = _REACTION_CHOICES[kind]
        outcome = self.rng.choices(outcomes, weights)[0]
        if outcome is not None:
            self.pause_ms(1_000, 15_000)
            self.emit(outcome, {"nudge_id": nudge_id})
            self._dismissals += outcome == EventType.NUDGE_DISMISSED
            self.engaged = self.engaged or outcome in ENGAGED
        return outcome

    def _nudge_id(self) -> str:
        # A real ULID whose time part is the moment shown, random part from the seeded generator.
        raw = self.now.to_bytes(6, "big") + self.rng.randbytes(10)
        return f"nudg_{ULID.from_bytes(raw)}"


def _line_item(product: Product, quantity: int) -> dict[str, Any]:
    return {
        "product_id": product.id,
        "product_name": product.name,
        "price": product.price,
        "currency": product.currency,
        "quantity": quantity,
    }
