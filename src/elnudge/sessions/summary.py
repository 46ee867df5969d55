"""A session's derived fields (PRODUCT.md §7), computed from its events alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from elnudge.events import model as m
from elnudge.nudges.outcomes import NudgeState, nudges_in
from elnudge.scoring import score_history


@dataclass(frozen=True, slots=True)
class SessionSummary:
    started_at: int
    ended_at: int
    page_count: int
    intent_score: int
    converted: bool
    nudge_count: int
    event_count: int
    scores: list[int]  # the intent score after each event
    nudges: list[NudgeState]  # newest first
    purchase_times: list[int]  # oldest first


def page_key(path: str) -> str:
    """Pages are told apart by path: the query is already gone; a trailing slash is ignored."""
    return path.rstrip("/") or "/"


def summarize(events: Sequence[m.Event]) -> SessionSummary:
    """The derived fields of a session whose events, oldest first, are `events` (not empty)."""
    pages = {page_key(event.path) for event in events if event.type == m.PAGE_VIEW}
    purchases = [event.occurred_at for event in events if event.type == m.PURCHASE]
    nudges = nudges_in(events)
    scores = score_history(events)
    return SessionSummary(
        started_at=events[0].occurred_at,
        ended_at=max(event.occurred_at for event in events),
        page_count=len(pages),
        intent_score=scores[-1],
        converted=bool(purchases),
        nudge_count=len(nudges),
        event_count=len(events),
        scores=scores,
        nudges=nudges,
        purchase_times=purchases,
    )
