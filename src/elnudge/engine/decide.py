"""The decision: given a session's situation and its site's settings, which nudge (if any) to
send now, and why. Pure and deterministic: the same situation and settings give the same
decision, on any machine; the caller supplies the clock (`now_ms`) and assigns new nudge ids.

In this order:
1. Nothing at all, not even the sticky bar, when nudges are off, the session is a bot's, the
   page is in a quiet zone (the site's patterns, or the script tag's when the site has none), or
   the session started after the monthly allowance was used.
2. The proactive triggers, in priority order (`Rule`), each only for a signal newer than the
   session's last proactive offer. The first that may fire wins. None may fire after a purchase,
   after `DISMISSALS_TO_SILENCE` dismissals of proactive nudges, after `PROACTIVE_PER_SESSION`
   proactive offers, while an exit modal is open, or within `PROACTIVE_COOLDOWN_MS` of the last
   proactive offer; exit intent once a session, the returning visitor's welcome too. Offers
   count whether or not they were shown, held-out ones included, so both arms of the holdout
   live under the same rules.
3. Else the sticky bar, on a checkout page, unless the shopper dismissed it: it is outside the
   cooldown, the cap and the silence. It is one nudge per session, drawn again on each checkout
   page: the proposal carries the id of the bar offered before, if any.
4. A proposal is sent, except in test mode or to a held-out visitor: then it is returned as
   `would_show` for the caller to record (as an offer: it counts for the rules) and, in test
   mode, to answer `test_decision` with.

"One proactive nudge at a time", server-side, is the cooldown: it is far longer than a toast's
fade and a bubble's collapse, so when it ends the toast is gone and the bubble is an avatar,
which the widget replaces with the next one. The exit modal is the only proactive nudge that
stays open until the shopper acts, so none is offered while one is open: shown, not yet
answered, and its page not left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from elnudge.engine.currencies import format_amount
from elnudge.engine.messages import cta_for, message_for, opening_for
from elnudge.engine.settings import EngineSettings
from elnudge.engine.situation import Offer, Situation
from elnudge.engine.thresholds import (
    BUBBLE_COLLAPSE_MS,
    DISMISSALS_TO_SILENCE,
    ENGINE_VERSION,
    PROACTIVE_COOLDOWN_MS,
    PROACTIVE_PER_SESSION,
    PRODUCT_NAME_IN_MESSAGE,
    TOAST_FADE_MS,
    Reason,
    Rule,
    ToastPosition,
)
from elnudge.engine.triggers import PROACTIVE_TRIGGERS, TRIGGERS, Trigger, free_shipping_gap
from elnudge.engine.zones import in_quiet_zone
from elnudge.vocabulary import Mode, NudgeType


@dataclass(frozen=True, slots=True)
class Proposal:
    """Everything the widget needs to draw a nudge (the caller adds the nudge id)."""

    type: NudgeType
    rule: Rule
    message: str
    cta: str
    agent_name: str
    toast_position: ToastPosition
    opening_message: str  # the chat panel's first message when the shopper opens it from here
    linger_ms: int | None  # a toast fades, a bubble collapses, after this; None: stays
    existing_nudge_id: str | None = None  # the sticky bar offered before: draw it again


@dataclass(frozen=True, slots=True)
class Decision:
    nudge: Proposal | None  # what to send now
    rule: Rule | None  # the rule that fired (also when its nudge is withheld)
    reasons: tuple[Reason, ...]  # why `nudge` is None; empty when it is not
    would_show: Proposal | None = None  # withheld for test mode or the holdout
    engine_version: str = ENGINE_VERSION


def decide(situation: Situation, settings: EngineSettings) -> Decision:
    """The engine's decision for the session now."""
    suppressed = _suppressed(situation, settings)
    if suppressed:
        return Decision(None, None, suppressed)
    proposal, reasons = _choose(situation, settings)
    if proposal is None:
        return Decision(None, None, reasons)
    withheld = _withheld(situation)
    if withheld:
        return Decision(None, proposal.rule, withheld, would_show=proposal)
    return Decision(proposal, proposal.rule, ())


def _suppressed(situation: Situation, settings: EngineSettings) -> tuple[Reason, ...]:
    path = situation.facts.current_path
    zones = settings.quiet_zones or situation.tag_quiet_zones
    return _applying(
        (Reason.NUDGES_OFF, not settings.nudges_enabled),
        (Reason.BOT, situation.is_bot),
        (Reason.QUIET_ZONE, path is not None and in_quiet_zone(path, zones)),
        (Reason.ALLOWANCE_USED, not situation.within_allowance),
    )


def _withheld(situation: Situation) -> tuple[Reason, ...]:
    return _applying(
        (Reason.TEST_MODE, situation.mode == Mode.TEST),
        (Reason.HOLDOUT, situation.held_out),
    )


def _choose(
    situation: Situation, settings: EngineSettings
) -> tuple[Proposal | None, tuple[Reason, ...]]:
    """The proposal to make, or the reasons none can be made."""
    blocked: set[Reason] = set()
    gates = _proactive_gates(situation)
    for trigger in _fresh_triggers(situation, settings):
        used_up = trigger.once_per_session if _offered(situation.offers, trigger.rule) else None
        if gates or used_up:
            blocked.update(gates, () if used_up is None else (used_up,))
            continue
        return _proposal(trigger, situation, settings), ()
    checkout = TRIGGERS[Rule.CHECKOUT]
    if checkout.signal(situation, settings) is not None:
        if not _sticky_bar_dismissed(situation):
            return _proposal(checkout, situation, settings), ()
        blocked.add(Reason.STICKY_BAR_DISMISSED)
    return None, tuple(r for r in Reason if r in blocked) or (Reason.NO_TRIGGER,)


def _fresh_triggers(situation: Situation, settings: EngineSettings) -> Iterable[Trigger]:
    """The proactive triggers whose situation holds with a signal not yet answered."""
    last = _last_proactive_offer(situation.offers)
    for trigger in PROACTIVE_TRIGGERS:
        signal = trigger.signal(situation, settings)
        if signal is not None and (last is None or signal > last.offered_at):
            yield trigger


def _proactive_gates(situation: Situation) -> tuple[Reason, ...]:
    """What stops every proactive nudge now."""
    proactive = [offer for offer in situation.offers if offer.proactive]
    last = _last_proactive_offer(situation.offers)
    return _applying(
        (Reason.PURCHASED, situation.facts.purchased_at is not None),
        (Reason.SILENCED, _proactive_dismissals(situation) >= DISMISSALS_TO_SILENCE),
        (Reason.SESSION_CAP, len(proactive) >= PROACTIVE_PER_SESSION),
        (Reason.MODAL_OPEN, any(_modal_open(situation, offer) for offer in proactive)),
        (
            Reason.COOLDOWN,
            last is not None and situation.now_ms - last.offered_at < PROACTIVE_COOLDOWN_MS,
        ),
    )


def _last_proactive_offer(offers: Iterable[Offer]) -> Offer | None:
    return max((o for o in offers if o.proactive), key=lambda o: o.offered_at, default=None)


def _offered(offers: Iterable[Offer], rule: Rule) -> bool:
    return any(offer.rule == rule for offer in offers)


def _nudge_types(situation: Situation) -> dict[str, str]:
    """Each known nudge id's type: as offered, or as the widget reported it."""
    return {**situation.facts.nudges_shown, **{o.nudge_id: o.type for o in situation.offers}}


def _proactive_dismissals(situation: Situation) -> int:
    """Dismissed proactive nudges (a toast's fade or a bubble's collapse is no dismissal)."""
    types = _nudge_types(situation)
    return sum(
        1
        for nudge_id in situation.facts.dismissed
        if nudge_id in types and types[nudge_id] != NudgeType.STICKY_BAR
    )


def _sticky_bar_dismissed(situation: Situation) -> bool:
    types = _nudge_types(situation)
    return any(types.get(i) == NudgeType.STICKY_BAR for i in situation.facts.dismissed)


def _modal_open(situation: Situation, offer: Offer) -> bool:
    """An exit modal the widget showed, the shopper has not answered and is still in front of
    (no page view since it was offered)."""
    facts = situation.facts
    return (
        offer.type == NudgeType.EXIT_MODAL
        and offer.nudge_id in facts.nudges_shown
        and offer.nudge_id not in facts.reacted
        and (facts.page_viewed_at is None or facts.page_viewed_at <= offer.offered_at)
    )


def _proposal(trigger: Trigger, situation: Situation, settings: EngineSettings) -> Proposal:
    values = _values(situation, settings)
    has_cart = situation.facts.cart_quantity > 0
    override = settings.messages.get(trigger.rule)
    return Proposal(
        type=trigger.type,
        rule=trigger.rule,
        message=message_for(trigger.rule, override, values, has_cart=has_cart),
        cta=cta_for(trigger.rule, values),
        agent_name=settings.agent_name,
        toast_position=settings.toast_position,
        opening_message=opening_for(trigger.rule, values),
        linger_ms=_LINGER_MS.get(trigger.type),
        existing_nudge_id=_existing_bar(situation) if not trigger.proactive else None,
    )


_LINGER_MS = {NudgeType.TOAST: TOAST_FADE_MS, NudgeType.CHAT_BUBBLE: BUBBLE_COLLAPSE_MS}


def _existing_bar(situation: Situation) -> str | None:
    bars = [o for o in situation.offers if o.type == NudgeType.STICKY_BAR]
    return min(bars, key=lambda o: (o.offered_at, o.nudge_id)).nudge_id if bars else None


def _values(situation: Situation, settings: EngineSettings) -> dict[str, str]:
    """The placeholder values this situation has (messages.py says which exist when)."""
    facts = situation.facts
    values = {"agent": settings.agent_name, "viewers": str(situation.viewers)}
    product = facts.product if facts.on_product_page else None
    if product is not None and product.name and product.name.strip():
        values["product"] = _shortened(" ".join(product.name.split()))
    if product is not None and product.stock is not None:
        values["stock"] = str(product.stock)
    gap = free_shipping_gap(facts, settings)
    if gap is not None and settings.free_shipping_currency is not None:
        values["amount"] = format_amount(gap, settings.free_shipping_currency)
    return values


def _shortened(name: str) -> str:
    """A long name cut at a word boundary, with an ellipsis ("…Waterproof…", not "…Mem…")."""
    if len(name) <= PRODUCT_NAME_IN_MESSAGE:
        return name
    cut = name[:PRODUCT_NAME_IN_MESSAGE]
    words = cut.rsplit(" ", 1)[0] if " " in cut[PRODUCT_NAME_IN_MESSAGE // 2 :] else cut[:-1]
    return words.rstrip(" ,;:-–—") + "…"


def _applying(*checks: tuple[Reason, bool]) -> tuple[Reason, ...]:
    return tuple(reason for reason, applies in checks if applies)
