"""The nudge engine's decisions for simulated shoppers: the real `decide`, given what the relay
would give it.

The relay (`nudges/decisions.py`) reads a stored session and calls `elnudge.engine.decide`; the
simulator has no database, so it keeps the same inputs as it goes and calls the same function:

- the session's facts, folded event by event with the engine's own `step`;
- its intent score, from the intent model's own fold (`scoring.RunningScore`);
- its earlier offers, sent or held out, as the relay records them;
- whether the visitor has an earlier session (same `visitor_id`), its month's ordinal for the
  allowance, and the holdout arm by the engine's stable hash (`is_held_out`), fixed when the
  session starts;
- how many other sessions viewed the product in the last 5 minutes. The simulator plays one
  session after another, so it counts only sessions that started earlier (the relay would also
  see those that started later and are still browsing): popular-product toasts are rarer here.

A session is a server session: a pause of more than 30 minutes (`sessionize.INACTIVITY_MS`)
starts a new one, with new facts, score and offers, as ingestion would.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Final

from elnudge.engine import (
    Decision,
    EngineSettings,
    Offer,
    SessionFacts,
    Situation,
    decide,
    is_held_out,
    step,
    visitor_key,
    within_allowance,
)
from elnudge.engine.thresholds import ENGINE_VERSION, POPULAR_WINDOW_MS
from elnudge.scoring.model import RunningScore
from elnudge.sessions.sessionize import INACTIVITY_MS
from elnudge.sites.usage import month_of
from elnudge.vocabulary import Event, EventType, Mode

SIMULATED_SITE_ID: Final = "site_simulated"
_VIEWS_KEPT_MS: Final = 12 * 60 * 60_000  # product views older than this are forgotten


@dataclass(frozen=True, slots=True)
class SimulatedOffer:
    """An offer as the relay records it (`nudge_offers`), with the client key and the time of
    one of its session's events, which find its server session after ingestion."""

    nudge_id: str
    client_session_key: str
    session_event_ms: int
    visitor_id: str | None
    type: str
    rule: str
    offered_at: int
    held_out: bool
    engine_version: str = ENGINE_VERSION

    def row(self, site_id: str, mode: str, session_id: str) -> dict[str, Any]:
        """The `nudge_offers` row, once the server session's id is known."""
        return {
            "site_id": site_id,
            "mode": mode,
            "nudge_id": self.nudge_id,
            "session_id": session_id,
            "visitor_id": self.visitor_id,
            "type": self.type,
            "rule": self.rule,
            "offered_at": self.offered_at,
            "held_out": self.held_out,
            "engine_version": self.engine_version,
        }


@dataclass
class SimulatedSite:
    """The store the shoppers visit: its id (the holdout hashes it), its engine settings and
    monthly allowance (None: unlimited), and what its traffic so far tells the engine."""

    site_id: str = SIMULATED_SITE_ID
    settings: EngineSettings = field(default_factory=EngineSettings)
    allowance: int | None = None
    _visitors: set[str] = field(default_factory=set)
    _month_sessions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _views: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    _views_pruned_at: int = 0

    def start_session(self, client_key: str, visitor_id: str | None, at_ms: int) -> SessionEngine:
        """A new server session at `at_ms`: its arm, allowance and returning flag fixed now."""
        month = month_of(at_ms)
        self._month_sessions[month] += 1
        returning = visitor_id is not None and visitor_id in self._visitors
        if visitor_id is not None:
            self._visitors.add(visitor_id)
        key = visitor_key(visitor_id, client_key)
        return SessionEngine(
            site=self,
            client_key=client_key,
            visitor_id=visitor_id,
            held_out=is_held_out(self.site_id, key, self.settings.holdout_percent),
            within=within_allowance(self._month_sessions[month], self.allowance),
            returning=returning,
            server_key=f"{client_key}@{at_ms}",
        )

    def viewed(self, product_id: str, server_key: str, at_ms: int) -> None:
        """A session viewed a product (the `product_views` table keeps each session's latest)."""
        self._views[product_id][server_key] = at_ms
        if at_ms - self._views_pruned_at > _VIEWS_KEPT_MS:
            self._prune(at_ms - _VIEWS_KEPT_MS)

    def viewers(self, product_id: str, other_than: str, now_ms: int) -> int:
        """Other sessions whose latest view of the product is within the popularity window."""
        since = now_ms - POPULAR_WINDOW_MS
        return sum(
            1
            for key, at in self._views.get(product_id, {}).items()
            if key != other_than and since <= at <= now_ms
        )

    def _prune(self, before_ms: int) -> None:
        for views in self._views.values():
            for key in [k for k, at in views.items() if at < before_ms]:
                del views[key]
        self._views_pruned_at = before_ms + _VIEWS_KEPT_MS


@dataclass
class SessionEngine:
    """One server session's engine inputs, kept up to date event by event."""

    site: SimulatedSite
    client_key: str
    visitor_id: str | None
    held_out: bool
    within: bool
    returning: bool
    server_key: str
    facts: SessionFacts = field(default_factory=SessionFacts)
    offers: list[Offer] = field(default_factory=list)
    _score: RunningScore = field(default_factory=RunningScore)
    _unscored: list[Event] = field(default_factory=list)

    def record(self, event: Event) -> None:
        """One more event of the session (oldest first), as ingestion would fold it."""
        self.facts = step(self.facts, event)
        self._unscored.append(event)
        if event.type == EventType.PRODUCT_VIEW and isinstance(event.data.get("product_id"), str):
            self.site.viewed(event.data["product_id"], self.server_key, event.occurred_at)

    def decide(self, now_ms: int) -> Decision:
        """The engine's decision now; a proposal (sent or withheld for the holdout) is recorded
        as an offer by the caller, who issues its id (`offer`)."""
        situation = Situation(
            now_ms=now_ms,
            mode=Mode.LIVE,
            is_bot=False,
            facts=self.facts,
            intent_score=self.intent_score,
            offers=tuple(self.offers),
            returning_visitor=self.returning,
            viewers=self._viewers(now_ms),
            held_out=self.held_out,
            within_allowance=self.within,
        )
        return decide(situation, self.site.settings)

    def offer(
        self, decision: Decision, nudge_id: str, now_ms: int, last_event_ms: int
    ) -> SimulatedOffer:
        """Record the decision's proposal as an offer under `nudge_id` (as the relay does);
        `last_event_ms` is the time of the session's latest event."""
        proposal = decision.nudge or decision.would_show
        assert proposal is not None, "only a decision with a proposal makes an offer"
        offer = Offer(nudge_id, proposal.type, proposal.rule, now_ms, held_out=self.held_out)
        self.offers.append(offer)
        return SimulatedOffer(
            nudge_id=nudge_id,
            client_session_key=self.client_key,
            session_event_ms=last_event_ms,
            visitor_id=self.visitor_id,
            type=proposal.type.value,
            rule=proposal.rule.value,
            offered_at=now_ms,
            held_out=self.held_out,
        )

    @property
    def intent_score(self) -> int:
        """The intent model's score after every event recorded so far."""
        if self._unscored:
            self._score.add(self._unscored)
            self._unscored.clear()
        return self._score.score

    def _viewers(self, now_ms: int) -> int:
        product = self.facts.product
        if product is None or not self.facts.on_product_page:
            return 0
        return self.site.viewers(product.product_id, self.server_key, now_ms)


def is_new_session(last_event_ms: int | None, at_ms: int) -> bool:
    """Whether an event at `at_ms` starts a new server session after one at `last_event_ms`."""
    return last_event_ms is None or at_ms - last_event_ms > INACTIVITY_MS
