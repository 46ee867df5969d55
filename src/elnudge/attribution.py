"""Nudge outcomes and influenced conversions (docs/api.md, Nudges), as pure functions of events."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from elnudge.vocabulary import OUTCOME_RANK, REACTIONS, Event, EventType, Outcome

# The nudge row's columns that say whether it had each reaction (`reaction_flags`).
_FLAGGED = (Outcome.CLICKED, Outcome.DISMISSED, Outcome.CHAT_OPENED)

INFLUENCE_WINDOW_MS = 30 * 60 * 1000


@dataclass(frozen=True, slots=True)
class NudgeState:
    nudge_id: str
    type: str
    shown_at: int
    outcome: str
    last_interaction_at: int | None  # None while the visitor has only seen it
    # Every reaction the nudge had, not only the most engaged one (`outcome`): the nudge report
    # counts a nudge that was clicked and then dismissed among the clicked and the dismissed.
    reactions: frozenset[str] = frozenset()


class NudgeFold:
    """A session's nudges, folded event by event (oldest first): from its first event, or
    continued from the session's stored nudges when later events are appended to it.

    A reaction to a nudge the session has not shown is kept aside (an orphan): it counts if
    the nudge is shown later. Stored nudges do not carry their session's orphans, so a caller
    that continues from them must not fold a show of a stored orphan (see `orphans`)."""

    __slots__ = ("_last_interaction", "_outcome", "_reactions", "_shown")

    def __init__(self, stored: Iterable[NudgeState] = ()) -> None:
        self._shown: dict[str, tuple[str, int]] = {}
        self._outcome: dict[str, str] = {}
        self._last_interaction: dict[str, int] = {}
        self._reactions: dict[str, set[str]] = {}
        for state in stored:
            self._shown[state.nudge_id] = (state.type, state.shown_at)
            self._outcome[state.nudge_id] = state.outcome
            if state.last_interaction_at is not None:
                self._last_interaction[state.nudge_id] = state.last_interaction_at
            self._reactions[state.nudge_id] = set(state.reactions)

    def fold(self, events: Iterable[Event]) -> NudgeFold:
        """Fold `events` (oldest first, none earlier than those folded before); returns self."""
        for event in events:
            nudge_id: str = event.data.get("nudge_id", "")
            if event.type == EventType.NUDGE_SHOWN:
                self._shown.setdefault(nudge_id, (event.data["type"], event.occurred_at))
            elif event.type in REACTIONS:
                self._react(nudge_id, REACTIONS[event.type], event.occurred_at)
        return self

    def _react(self, nudge_id: str, reaction: str, at: int) -> None:
        if OUTCOME_RANK[reaction] > OUTCOME_RANK[self._outcome.get(nudge_id, Outcome.SHOWN)]:
            self._outcome[nudge_id] = reaction
        self._reactions.setdefault(nudge_id, set()).add(reaction)
        self._last_interaction[nudge_id] = max(at, self._last_interaction.get(nudge_id, 0))

    def states(self) -> list[NudgeState]:
        """Every nudge shown, newest first."""
        states = [
            NudgeState(
                nudge_id=nudge_id,
                type=kind,
                shown_at=shown_at,
                outcome=self._outcome.get(nudge_id, Outcome.SHOWN),
                last_interaction_at=self._last_interaction.get(nudge_id),
                reactions=frozenset(self._reactions.get(nudge_id, ())),
            )
            for nudge_id, (kind, shown_at) in self._shown.items()
        ]
        states.sort(key=lambda state: (state.shown_at, state.nudge_id), reverse=True)
        return states

    def orphans(self) -> set[str]:
        """The nudges reacted to but not shown (by the events folded here)."""
        return self._reactions.keys() - self._shown.keys()


def influenced(last_interaction_at: int | None, purchase_times: Sequence[int]) -> bool:
    """True when a purchase (from sorted `purchase_times`) came within 30 minutes after the
    nudge's last interaction. A nudge that was only shown never counts."""
    if last_interaction_at is None:
        return False
    first = bisect.bisect_left(purchase_times, last_interaction_at)
    return (
        first < len(purchase_times)
        and purchase_times[first] <= last_interaction_at + INFLUENCE_WINDOW_MS
    )


def reaction_flags(reactions: Iterable[str]) -> dict[str, bool]:
    """The nudge row's `clicked`, `dismissed` and `chat_opened` columns: whether the nudge had
    at least one such event (docs/reports.md), whatever its `outcome` ended as."""
    had = set(reactions)
    return {str(reaction): reaction in had for reaction in _FLAGGED}


def stored_state(row: Any) -> NudgeState:
    """A stored nudge row (with `reaction_flags`' columns) as the state `NudgeFold` left."""
    return NudgeState(
        nudge_id=row.nudge_id,
        type=row.type,
        shown_at=row.shown_at,
        outcome=row.outcome,
        last_interaction_at=row.last_interaction_at,
        reactions=frozenset(reaction for reaction in _FLAGGED if getattr(row, reaction)),
    )
