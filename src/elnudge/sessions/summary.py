"""A session's derived fields (docs/api.md, "Session fields"), computed from its events alone,
or continued from the state a summary left when new events only extend the session.

The state also carries the nudge engine's facts about the session (`engine/facts.py`), so a
decision on the relay reads one stored row instead of the session's events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from elnudge.attribution import NudgeState, nudges_in
from elnudge.engine.facts import SessionFacts, fold_facts
from elnudge.scoring.model import resume_history
from elnudge.vocabulary import NUDGE_EVENTS, Event, EventType

# Events that change a session's nudges: `extend_summary` never takes them. (A purchase only
# adds to the session's purchase times, which `extend_summary` leaves to its caller: the
# session's `converted`, and the attribution of its visitor's nudges, see events/gather.py.)
NOT_APPENDABLE = NUDGE_EVENTS


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


# A stored state without this member predates the engine: such a session is re-derived from
# its events (never extended), which stores a state with it.
FACTS = "facts"


def _state(pages: set[str], fold: object, facts: SessionFacts) -> str:
    return orjson.dumps({"pages": sorted(pages), "fold": fold, FACTS: facts.state()}).decode()


def can_extend(state: str | None) -> bool:
    """Whether a stored state is complete enough for `extend_summary`."""
    return state is not None and f'"{FACTS}":' in state


def stored_facts(state: str | None) -> SessionFacts | None:
    """The engine's facts in a stored state (None for a state that predates them)."""
    if not can_extend(state):
        return None
    assert state is not None
    return SessionFacts.from_state(orjson.loads(state)[FACTS])


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
        state=_state(pages, fold, fold_facts(events)),
    )


def extend_summary(state: str, event_count: int, events: Sequence[Event]) -> Extension:
    """What `summarize` would give for a session's `event_count` events, which left `state`,
    followed by `events` (oldest first, not empty, later than all of them, none of
    NOT_APPENDABLE): the fields left out of `Extension` do not change, except `converted` and
    `purchase_times` when `events` hold a purchase."""
    stored = orjson.loads(state)
    pages = set(stored["pages"]) | _pages(events)
    scores, fold = resume_history(events, stored["fold"])
    facts = fold_facts(events, stored[FACTS])
    return Extension(
        ended_at=events[-1].occurred_at,
        page_count=len(pages),
        intent_score=scores[-1],
        event_count=event_count + len(events),
        scores=scores,
        state=_state(pages, fold, facts),
    )
