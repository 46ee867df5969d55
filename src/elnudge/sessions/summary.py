"""A session's derived fields (docs/api.md, "Session fields"), computed from its events alone,
or continued from the state a summary left when new events only extend the session.

The state also carries the nudge engine's facts about the session (`engine/facts.py`), so a
decision on the relay reads one stored row instead of the session's events.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import orjson

from elnudge.attribution import NudgeFold, NudgeState
from elnudge.engine.facts import SessionFacts, fold_facts
from elnudge.scoring.model import resume_history
from elnudge.vocabulary import Event, EventType


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
    events' only, and `nudges` all of the session's (None: its nudges did not change)."""

    ended_at: int
    page_count: int
    intent_score: int
    event_count: int
    scores: list[int]
    nudges: list[NudgeState] | None
    state: str


def _pages(events: Sequence[Event]) -> set[str]:
    return {event.page for event in events if event.type == EventType.PAGE_VIEW}


# A stored state without this member predates the engine: such a session is re-derived from
# its events (never extended), which stores a state with it.
FACTS = "facts"
# The nudges the session's events reacted to without showing them (`NudgeFold.orphans`): a
# later show of one of them takes their reactions, which the stored nudge rows do not hold.
# Absent or null in a state that predates it: unknown, so no show is appended to that session.
ORPHANS = "orphans"


def _state(pages: set[str], fold: object, facts: SessionFacts, orphans: list[str] | None) -> str:
    state = {"pages": sorted(pages), "fold": fold, FACTS: facts.state(), ORPHANS: orphans}
    return orjson.dumps(state).decode()


def can_extend(state: str | None) -> bool:
    """Whether a stored state is complete enough for `extend_summary`."""
    return state is not None and f'"{FACTS}":' in state


def can_append_shows(state: str, nudge_ids: Collection[str]) -> bool:
    """Whether shows of these nudges can be appended to a session that left `state` (one
    `can_extend` accepts): none of them is among its orphans, and those are known."""
    orphans = orjson.loads(state).get(ORPHANS)
    return orphans is not None and set(orphans).isdisjoint(nudge_ids)


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
    nudge_fold = NudgeFold().fold(events)
    nudges = nudge_fold.states()
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
        state=_state(pages, fold, fold_facts(events), sorted(nudge_fold.orphans())),
    )


def extend_summary(
    state: str,
    event_count: int,
    events: Sequence[Event],
    stored_nudges: Sequence[NudgeState] | None = None,
) -> Extension:
    """What `summarize` would give for a session's `event_count` events, which left `state`,
    followed by `events` (oldest first, not empty, later than all of them).

    `stored_nudges` are the session's nudges, to fold the nudge events among `events` into;
    None when there are none of those (the nudges stay as stored). A show must pass
    `can_append_shows`. The fields left out of `Extension` do not change, except `converted`
    and `purchase_times` when `events` hold a purchase, which the caller applies (with the
    credit those purchase times give: see events/writer.py)."""
    stored = orjson.loads(state)
    pages = set(stored["pages"]) | _pages(events)
    scores, fold = resume_history(events, stored["fold"])
    facts = fold_facts(events, stored[FACTS])
    orphans: list[str] | None = stored.get(ORPHANS)
    nudges = None
    if stored_nudges is not None:
        nudge_fold = NudgeFold(stored_nudges).fold(events)
        nudges = nudge_fold.states()
        if orphans is not None:
            orphans = sorted(nudge_fold.orphans().union(orphans))
    return Extension(
        ended_at=events[-1].occurred_at,
        page_count=len(pages),
        intent_score=scores[-1],
        event_count=event_count + len(events),
        scores=scores,
        nudges=nudges,
        state=_state(pages, fold, facts, orphans),
    )
