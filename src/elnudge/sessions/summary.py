"""A session's derived fields (docs/api.md, "Session fields"), computed from its events alone,
or continued from the state a summary left when new events only extend the session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from elnudge.nudges.outcomes import NudgeState, nudges_in
from elnudge.scoring.model import resume_history
from elnudge.vocabulary import NUDGE_EVENTS, Event, EventType

# Events that change a session's nudges or purchases: `extend_summary` never takes them.
NOT_APPENDABLE = NUDGE_EVENTS | {EventType.PURCHASE}


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
    state: str  # what `extend_summary` needs to continue after the last event (JSON)


@dataclass(frozen=True, slots=True)
class Extension:
    """The fields that change when events are appended to a session; `scores` are the new
    events' only."""

    ended_at: int
    page_count: int
    intent_score: int
    event_count: int
    scores: list[int]
    state: str


def _pages(events: Sequence[Event]) -> set[str]:
    return {event.page for event in events if event.type == EventType.PAGE_VIEW}


def _state(pages: set[str], fold: object) -> str:
    return orjson.dumps({"pages": sorted(pages), "fold": fold}).decode()


def summarize(events: Sequence[Event]) -> SessionSummary:
    """The derived fields of a session whose events, oldest first, are `events` (not empty)."""
    pages = _pages(events)
    purchases = [event.occurred_at for event in events if event.type == EventType.PURCHASE]
    nudges = nudges_in(events)
    scores, fold = resume_history(events)
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
        state=_state(pages, fold),
    )


def extend_summary(state: str, event_count: int, events: Sequence[Event]) -> Extension:
    """What `summarize` would give for a session's `event_count` events, which left `state`,
    followed by `events` (oldest first, not empty, later than all of them, none of
    NOT_APPENDABLE): the fields left out of `Extension` do not change."""
    stored = orjson.loads(state)
    pages = set(stored["pages"]) | _pages(events)
    scores, fold = resume_history(events, stored["fold"])
    return Extension(
        ended_at=events[-1].occurred_at,
        page_count=len(pages),
        intent_score=scores[-1],
        event_count=event_count + len(events),
        scores=scores,
        state=_state(pages, fold),
    )
