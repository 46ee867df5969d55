"""One simulated visit, step by step: its clock, the page it is on, and the envelopes it emits.

The archetype scripts (`visits.py`) drive a `Journey` through small verbs (land, view a product,
add to cart, ...); the journey turns each into SDK envelopes exactly as the API receives them.

Nudges come from the real engine (`decisions.py`), asked when the SDK flushes at once because
an event can trigger a nudge (`TRIGGERS`, as in sdk.js): with the rest of its gesture (a page
view and its product view go in one request), before the shopper's next pause, right after
`EXIT_INTENT` and at an `IDLE`. Other events ride along with the next such flush (the SDK's 5 s
timer would also get an answer, which can only matter for a state held back by the cooldown:
here it is answered at the next trigger). The events sent when the page is left (`sendBeacon`)
get no answer. A shown nudge is reported (`NUDGE_SHOWN`) and
answered with a reaction drawn from `reactions.py`; the shopper's best reaction so far sets the
chance that a leaving shopper comes back to buy (`rescue_chance`, read by `visits.leave`).
"""

from __future__ import annotations

import random
from typing import Any, Final

from ulid import ULID

from elnudge.ids import BASE62
from elnudge.simulate.catalogue import CURRENCY, Product
from elnudge.simulate.decisions import (
    SessionEngine,
    SimulatedOffer,
    SimulatedSite,
    is_new_session,
)
from elnudge.simulate.reactions import REPORTED, RESCUE, Reaction, react
from elnudge.timestamps import format_timestamp_ms
from elnudge.vocabulary import Event, EventType, NudgeType

Envelope = dict[str, Any]

STAGES: Final = ("cart", "checkout", "payment", "review")
STAGE_PATHS: Final = ("/cart", "/checkout", "/checkout/payment", "/checkout/review")
THANK_YOU_PATH: Final = "/checkout/thank-you"

# A gap longer than a page read: the tab stayed open (lunch, a meeting), same client key.
IDLE_CHANCE: Final = 0.004
IDLE_RANGE_S: Final = (31 * 60, 150 * 60)
MAX_GAP_S: Final = 400.0  # nobody reads one page for longer; beyond that it is an idle tab

# The events after which the SDK flushes at once (sdk.js `TRIGGERS`; SCROLL_DEPTH from 75).
TRIGGERS: Final = frozenset(
    {
        EventType.PAGE_VIEW,
        EventType.PRODUCT_VIEW,
        EventType.ADD_TO_CART,
        EventType.REMOVE_FROM_CART,
        EventType.CHECKOUT_STAGE,
        EventType.EXIT_INTENT,
        EventType.IDLE,
    }
)
SCROLL_TRIGGER_DEPTH: Final = 75
IDLE_AFTER_MS: Final = 30_000  # the SDK reports IDLE once the page has been still this long
STILL_CHANCE: Final = 0.5  # a long pause without touching the page (else: scrolling, mouse moves)


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
        site: SimulatedSite,
    ) -> None:
        self.rng = rng
        self.key = key
        self.visitor_id = visitor_id
        self.base_url = base_url.rstrip("/")
        self.now = start_ms
        self.end_ms = end_ms
        self.site = site
        self.events: list[Envelope] = []
        self.page = "/"
        self.cart: list[tuple[Product, int]] = []
        self.stage = 0  # number of checkout stages reached
        self.purchased = False
        self.offers: list[SimulatedOffer] = []
        self.reactions: list[tuple[str, NudgeType, Reaction]] = []  # (nudge id, type, reaction)
        self.rescue_chance = 0.0  # RESCUE of the best reaction so far
        self._idled = False
        self._engine: SessionEngine | None = None  # the current server session's
        self._last_event_ms: int | None = None
        self._unanswered = False  # a trigger was sent since the engine was last asked

    # -- randomness, in the journey's own words ------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def wait(self, median_s: float, spread: float = 0.7) -> None:
        """Let time pass: a log-normal gap around `median_s`, occasionally a long idle. The
        events so far are flushed first; a still pause of 30 s or more is reported as IDLE."""
        self.flush()
        gap = min(MAX_GAP_S, median_s * self.rng.lognormvariate(0.0, spread))
        if not self._idled and self.chance(IDLE_CHANCE):
            self._idled = True
            gap = self.rng.uniform(*IDLE_RANGE_S)
        until = self.now + max(1, int(gap * 1000))
        if until - self.now >= IDLE_AFTER_MS and self.chance(STILL_CHANCE):
            self.now += IDLE_AFTER_MS
            self.emit(EventType.IDLE, {"seconds": IDLE_AFTER_MS // 1000})
            self.flush()
        self.now = max(self.now, until)

    def pause_ms(self, low: int, high: int) -> None:
        """A short pause between two events of the same gesture (a view and its product event)."""
        self.now += self.rng.randint(low, high)

    # -- envelopes ------------------------------------------------------------------------------

    def emit(self, event: str, data: dict[str, Any]) -> None:
        """Append one envelope on the current page, unless it falls after the simulated window."""
        if self.now > self.end_ms:
            return
        if self._engine is None or is_new_session(self._last_event_ms, self.now):
            self._engine = self.site.start_session(self.key, self.visitor_id, self.now)
        self._last_event_ms = self.now
        self._unanswered = (
            self._unanswered
            or event in TRIGGERS
            or (event == EventType.SCROLL_DEPTH and data["depth"] >= SCROLL_TRIGGER_DEPTH)
        )
        self._engine.record(Event(event, self.now, self.page.split("#", 1)[0], data))
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
        self.emit(
            EventType.PRODUCT_VIEW,
            {
                "product_id": product.id,
                "product_name": product.name,
                "price": product.price,
                "currency": product.currency,
                "stock": product.stock,
            },
        )

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
        """The pointer leaves the window: sent at once, so the exit modal can answer it."""
        self.wait(4.0)
        self.emit(EventType.EXIT_INTENT, {})
        self.flush()

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

    def flush(self) -> None:
        """If a trigger is waiting, send the events not yet sent and play the engine's answer:
        nothing, a nudge (shown and reacted to), or an offer withheld for the holdout
        (recorded, nothing shown)."""
        engine = self._engine
        if not self._unanswered or engine is None:
            return
        self._unanswered = False
        decision = engine.decide(self.now)
        proposal = decision.nudge or decision.would_show
        if proposal is None:
            return
        if proposal.existing_nudge_id is not None:  # the sticky bar, on another checkout page
            if decision.nudge is not None:  # drawn again, reported again; reacted to once
                self.pause_ms(100, 800)
                shown = {"nudge_id": proposal.existing_nudge_id, "type": proposal.type.value}
                self.emit(EventType.NUDGE_SHOWN, shown)
                self._unanswered = False  # the widget's own report triggers nothing
            return
        nudge_id = self._nudge_id()
        assert self._last_event_ms is not None  # the engine exists once an event was emitted
        self.offers.append(engine.offer(decision, nudge_id, self.now, self._last_event_ms))
        if decision.nudge is not None:
            self._show(nudge_id, decision.nudge.type)

    def _show(self, nudge_id: str, kind: NudgeType) -> None:
        """The widget draws the nudge and reports it; the shopper reacts (or not)."""
        self.pause_ms(300, 1_500)
        self.emit(EventType.NUDGE_SHOWN, {"nudge_id": nudge_id, "type": kind.value})
        reaction = react(self.rng, kind)
        self.reactions.append((nudge_id, kind, reaction))
        self.rescue_chance = max(self.rescue_chance, RESCUE[reaction])
        for index, event in enumerate(REPORTED[reaction]):
            self.pause_ms(*((1_000, 15_000) if index == 0 else (50, 400)))
            self.emit(event, {"nudge_id": nudge_id})
        self._unanswered = False  # the widget's own reports trigger nothing

    def _nudge_id(self) -> str:
        # A real ULID whose time part is the moment offered, random part from the seeded
        # generator (the relay's are random; these must replay from a seed).
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
