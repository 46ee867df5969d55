"""A simulated relay: a shopper's events arrive one at a time, each answered by `decide`; every
proposal is recorded as an offer (as the relay will), the widget reports what it showed, and the
shopper sometimes dismisses it. Whatever the shopper does, the rules hold for the session.

The invariants are checked against the simulation's own bookkeeping, not the engine's: what it
offered and when, what the shopper dismissed, and a hand-written test of the one quiet zone.
The shopper's every choice goes through `pick`, so Hypothesis can explore (and shrink) them, and
a seeded random generator can replay many sessions cheaply to show what the simulation reaches.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from elnudge.engine import (
    Decision,
    EngineSettings,
    Offer,
    SessionFacts,
    Situation,
    decide,
    fold_facts,
    is_proactive,
    parse_settings,
)
from elnudge.engine.facts import FactsState
from elnudge.engine.thresholds import (
    DISMISSALS_TO_SILENCE,
    PROACTIVE_COOLDOWN_MS,
    PROACTIVE_PER_SESSION,
)
from elnudge.vocabulary import Event, EventType, Mode, NudgeType
from tests.engine.shopper import T0

Pick = Callable[[Sequence[Any]], Any]  # one of the options
URLS = (
    "/",
    "/collections/all",
    "/products/a",
    "/products/b?variant=2",
    "/cart",
    "/checkout/payment",
    "/account",
    "/account/orders",
)
ZONE = "/account/*"
KINDS = ("page", "page", "product", "add", "remove", "scroll", "idle", "exit", "click", "stage")
SITES = (
    EngineSettings(),
    parse_settings({"quiet_zones": [ZONE]}),
    parse_settings({"free_shipping_threshold": 50, "free_shipping_currency": "USD"}),
)
GAPS = (range(0, 5_000), range(0, 120_000))


def in_the_zone(path: str) -> bool:
    return path == "/account" or path.startswith("/account/")


@dataclass
class Shopper:
    """One session as the relay sees it, with the simulation's own record of what happened."""

    settings: EngineSettings
    tag_zones: tuple[str, ...]
    mode: Mode
    held_out: bool
    returning: bool
    dismisses: bool  # whether this shopper ever dismisses a nudge
    clock: int = T0
    url: str = "/"
    state: FactsState | None = None  # stored between requests, as ingestion will
    facts: SessionFacts = field(default_factory=SessionFacts)
    offers: list[Offer] = field(default_factory=list)
    decisions: list[tuple[int, Decision, str]] = field(default_factory=list)
    dismissed_proactive: list[int] = field(default_factory=list)  # when
    bar_dismissed_at: int | None = None

    def send(self, kind: str, data: dict[str, Any] | None = None) -> None:
        event = Event(kind, self.clock, self.url, data or {})
        self.facts = fold_facts([event], self.state)
        self.state = self.facts.state()

    @property
    def zoned(self) -> bool:
        return bool(self.settings.quiet_zones or self.tag_zones)


def new_shopper(pick: Pick) -> Shopper:
    return Shopper(
        settings=pick(SITES),
        tag_zones=pick(((), (ZONE,))),
        mode=pick(tuple(Mode)),
        held_out=pick((False, True)),
        returning=pick((False, True)),
        dismisses=pick((False, True)),
    )


def visit(shopper: Shopper, pick: Pick, actions: int) -> Shopper:
    for _ in range(actions):
        shopper.clock += pick(pick(GAPS))
        act(shopper, pick)
        answer(shopper, pick)
    return shopper


def act(shopper: Shopper, pick: Pick) -> None:
    """One thing the shopper does, as the SDK reports it."""
    rare = pick(range(60)) == 0  # most sessions never buy: buying ends every proactive nudge
    kind = "purchase" if rare else pick(KINDS)
    product_id = pick(("a", "b"))
    line = {"product_id": product_id, "price": 20, "currency": "USD", "quantity": 1}
    if kind == "page":
        shopper.url = pick(URLS)
        shopper.send(EventType.PAGE_VIEW)
    elif kind == "product":
        stock = pick((None, *range(9)))
        details = {"product_id": product_id, "product_name": product_id.upper(), "stock": stock}
        shopper.send(EventType.PRODUCT_VIEW, details)
    elif kind in ("add", "remove"):
        shopper.send(EventType.ADD_TO_CART if kind == "add" else EventType.REMOVE_FROM_CART, line)
    else:
        _signal(shopper, kind, pick)


def _signal(shopper: Shopper, kind: str, pick: Pick) -> None:
    if kind == "scroll":
        shopper.send(EventType.SCROLL_DEPTH, {"depth": pick((25, 75, 100))})
    elif kind == "idle":
        shopper.send(EventType.IDLE, {"seconds": pick((30, 45, 120))})
    elif kind == "exit":
        shopper.send(EventType.EXIT_INTENT)
    elif kind == "click":
        shopper.send(EventType.CLICK, {"tag": "a"})
    elif kind == "stage":
        shopper.send(EventType.CHECKOUT_STAGE, {"stage": "payment"})
    else:
        shopper.send(EventType.PURCHASE, {"value": 20, "currency": "USD", "item_count": 1})


def answer(shopper: Shopper, pick: Pick) -> None:
    """The relay's answer to the event just sent, and the widget's and shopper's reactions."""
    now = shopper.clock + pick(range(1_500))  # processing and network
    situation = Situation(
        now_ms=now,
        mode=shopper.mode,
        is_bot=False,
        facts=shopper.facts,
        intent_score=pick(range(101)),
        offers=tuple(shopper.offers),
        returning_visitor=shopper.returning,
        viewers=pick(range(7)),
        held_out=shopper.held_out,
        within_allowance=True,
        tag_quiet_zones=shopper.tag_zones,
    )
    decision = decide(situation, shopper.settings)
    shopper.decisions.append((now, decision, shopper.url.split("?")[0]))
    proposal = decision.nudge or decision.would_show
    if proposal is None or proposal.existing_nudge_id is not None:
        return
    nudge_id = f"nudg_{len(shopper.offers)}"
    shopper.offers.append(Offer(nudge_id, proposal.type, proposal.rule, now, shopper.held_out))
    if decision.nudge is not None:
        _react(shopper, pick, nudge_id, proposal.type, now)


def _react(shopper: Shopper, pick: Pick, nudge_id: str, kind: NudgeType, now: int) -> None:
    shopper.clock = now + 200
    shopper.send(EventType.NUDGE_SHOWN, {"nudge_id": nudge_id, "type": kind})
    if shopper.dismisses and pick((False, True)):
        shopper.clock += pick(range(500, 8_000))
        shopper.send(EventType.NUDGE_DISMISSED, {"nudge_id": nudge_id})
        if is_proactive(kind):
            shopper.dismissed_proactive.append(shopper.clock)
        else:
            shopper.bar_dismissed_at = shopper.clock


def check(shopper: Shopper) -> None:
    proactive = [offer for offer in shopper.offers if is_proactive(offer.type)]
    assert len(proactive) <= PROACTIVE_PER_SESSION
    times = [offer.offered_at for offer in proactive]
    assert all(b - a >= PROACTIVE_COOLDOWN_MS for a, b in pairwise(times))
    assert sum(offer.type == NudgeType.EXIT_MODAL for offer in shopper.offers) <= 1
    for now, decision, path in shopper.decisions:
        assert bool(decision.reasons) == (decision.nudge is None)
        if shopper.mode == Mode.TEST or shopper.held_out:
            assert decision.nudge is None
        proposal = decision.nudge or decision.would_show
        if proposal is None:
            continue
        assert not (shopper.zoned and in_the_zone(path)), "a nudge in a quiet zone"
        if is_proactive(proposal.type):
            dismissed_before = [t for t in shopper.dismissed_proactive if t < now]
            assert len(dismissed_before) < DISMISSALS_TO_SILENCE, "a nudge after the silence"
        elif shopper.bar_dismissed_at is not None:
            assert now < shopper.bar_dismissed_at, "the sticky bar after its dismissal"


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_the_rules_hold_for_any_shopper(data: st.DataObject) -> None:
    def pick(options: Sequence[Any]) -> Any:
        return data.draw(st.sampled_from(options))

    check(visit(new_shopper(pick), pick, pick(range(1, 41))))


def test_the_simulation_reaches_every_rule() -> None:
    """The property is only as good as the situations it reaches: the same shoppers, replayed
    from a fixed seed, meet every gate and trigger (and keep the rules there too)."""
    rng = random.Random(20_261_202)
    reached: set[str] = set()
    for _ in range(300):
        shopper = visit(new_shopper(rng.choice), rng.choice, rng.choice(range(1, 41)))
        check(shopper)
        for _, decision, _ in shopper.decisions:
            reached.update(decision.reasons)
            reached.update([] if decision.rule is None else [decision.rule])
    wanted = {"cooldown", "session_cap", "silenced", "quiet_zone", "test_mode", "holdout"}
    wanted |= {"modal_open", "sticky_bar_dismissed", "exit_modal_used", "purchased"}
    wanted |= {"exit_intent", "idle_on_product", "cart_removal", "free_shipping", "low_stock"}
    wanted |= {"popular_product", "deep_scroll", "returning_visitor", "checkout"}
    assert wanted <= reached
