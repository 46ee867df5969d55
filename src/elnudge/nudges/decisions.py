"""The engine at work: a session's situation read from storage, the decision, and its offer.

The relay asks after every request, for the session of the request's last event; preview asks
without recording anything. Reading the situation costs one row for the session (its facts are
part of its stored summary state), one indexed lookup for its offers, and, only when they can
matter, one for the visitor's earlier sessions and one for the product's other viewers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from elnudge import ids
from elnudge.engine import (
    Decision,
    Offer,
    Proposal,
    Reason,
    SessionFacts,
    Situation,
    decide,
    fold_facts,
    is_held_out,
    visitor_key,
    within_allowance,
)
from elnudge.engine.thresholds import ENGINE_VERSION, POPULAR_WINDOW_MS
from elnudge.keys.service import Principal
from elnudge.nudges import repository
from elnudge.sessions.summary import stored_facts
from elnudge.sites.engine import SiteEngine, site_engine
from elnudge.vocabulary import Mode


@dataclass(frozen=True, slots=True)
class Answer:
    """A decision and the nudge id it goes by (issued for a new offer, or the sticky bar's)."""

    decision: Decision
    nudge_id: str | None

    def nudge_json(self) -> dict[str, Any] | None:
        """What the widget draws (`nudge` in the relay's answer), or None."""
        if self.decision.nudge is None:
            return None
        return {"nudge_id": self.nudge_id, **proposal_json(self.decision.nudge)}

    def test_decision_json(self, mode: str) -> dict[str, Any] | None:
        """In test mode, what live mode would have drawn (the relay's `test_decision`)."""
        withheld = self.decision.would_show
        if mode != Mode.TEST or withheld is None:
            return None
        return proposal_json(withheld)


def proposal_json(proposal: Proposal) -> dict[str, Any]:
    return {
        "type": proposal.type.value,
        "rule": proposal.rule.value,
        "message": proposal.message,
        "cta": proposal.cta,
        "agent": proposal.agent_name,
        "position": proposal.toast_position.value,
        "opening_message": proposal.opening_message,
    }


def decide_and_offer(
    connection: Connection,
    principal: Principal,
    session: Row[Any],
    *,
    now_ms: int,
    tag_quiet_zones: tuple[str, ...] = (),
) -> Answer:
    """Decide for a stored session now, and record the offer it makes (sent, or withheld for
    the holdout or test mode): offers count for the engine's rules either way."""
    engine = site_engine(principal.engine_settings, principal.plan)
    if not engine.settings.nudges_enabled:  # what `decide` would say, without reading anything
        return Answer(Decision(None, None, (Reason.NUDGES_OFF,)), None)
    if session.is_bot:  # likewise: nothing for a bot (its other reasons are never shown)
        return Answer(Decision(None, None, (Reason.BOT,)), None)
    offers = repository.offers_of(connection, principal.site_id, principal.mode, session.session_id)
    situation = read_situation(
        connection, principal, engine, session, offers, now_ms=now_ms, tag_zones=tag_quiet_zones
    )
    decision = decide(situation, engine.settings)
    proposal = decision.nudge or decision.would_show
    if proposal is None:
        return Answer(decision, None)
    if proposal.existing_nudge_id is not None:
        return Answer(decision, proposal.existing_nudge_id)
    nudge_id = ids.new_id(ids.NUDGE, at_ms=now_ms)
    repository.insert_offer(
        connection,
        {
            "site_id": principal.site_id,
            "mode": principal.mode,
            "nudge_id": nudge_id,
            "session_id": session.session_id,
            "visitor_id": session.visitor_id,
            "type": proposal.type.value,
            "rule": proposal.rule.value,
            "offered_at": now_ms,
            "held_out": Reason.HOLDOUT in decision.reasons,
            "engine_version": ENGINE_VERSION,
        },
    )
    return Answer(decision, nudge_id)


def read_situation(
    connection: Connection,
    principal: Principal,
    engine: SiteEngine,
    session: Row[Any],
    offers: tuple[Offer, ...],
    *,
    now_ms: int,
    tag_zones: tuple[str, ...],
) -> Situation:
    """Everything `decide` needs about a stored session, besides the site's settings."""
    facts = stored_facts(session.summary_state) or _folded(connection, principal, session)
    return Situation(
        now_ms=now_ms,
        mode=Mode(principal.mode),
        is_bot=bool(session.is_bot),
        facts=facts,
        intent_score=session.intent_score,
        offers=offers,
        returning_visitor=_returning(connection, principal, session),
        viewers=_viewers(connection, principal, session.session_id, facts, now_ms),
        held_out=_held_out(principal, engine, session, offers),
        within_allowance=_within(principal, engine, session.month_ordinal),
        tag_quiet_zones=tag_zones,
    )


def _folded(connection: Connection, principal: Principal, session: Row[Any]) -> SessionFacts:
    """Facts for a session stored before the engine kept them: folded from its events."""
    events = repository.events_of_session(connection, principal.site_id, session.session_id)
    return fold_facts(events)


def _returning(connection: Connection, principal: Principal, session: Row[Any]) -> bool:
    if session.visitor_id is None:
        return False
    return repository.has_earlier_session(
        connection, principal.site_id, principal.mode, session.visitor_id, session.started_at
    )


def _viewers(
    connection: Connection, principal: Principal, session_id: str, facts: SessionFacts, now: int
) -> int:
    """Other sessions of this mode that viewed the current product within the window."""
    if facts.product is None or not facts.on_product_page:
        return 0
    return repository.recent_viewers(
        connection,
        principal.site_id,
        principal.mode,
        facts.product.product_id,
        since_ms=now - POPULAR_WINDOW_MS,
        other_than=session_id,
    )


def _held_out(
    principal: Principal, engine: SiteEngine, session: Row[Any], offers: tuple[Offer, ...]
) -> bool:
    """The session's arm is fixed at its first decision (a later `identify` changes the
    visitor key, never the arm a session was already in)."""
    if offers:
        return min(offers, key=lambda offer: offer.offered_at).held_out
    key = visitor_key(session.visitor_id, session.client_key)
    return is_held_out(principal.site_id, key, engine.settings.holdout_percent)


def _within(principal: Principal, engine: SiteEngine, ordinal: int | None) -> bool:
    """Test mode uses no allowance; a session without an ordinal (stored before the count, or
    a bot's) is within it."""
    if principal.mode == Mode.TEST or ordinal is None:
        return True
    return within_allowance(ordinal, engine.allowance)
