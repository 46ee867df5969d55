"""Nudge outcomes and influenced conversions (docs/api.md, Nudges), as pure functions of events."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from elnudge.vocabulary import OUTCOME_RANK, REACTIONS, Event, EventType, Outcome

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


def nudges_in(events: Iterable[Event]) -> list[NudgeState]:
    """The nudges shown in a session's events (oldest first), newest first.

    Reactions to a nudge that was never shown in the same session are ignored.
    """
    shown: dict[str, tuple[str, int]] = {}
    outcome: dict[str, str] = {}
    last_interaction: dict[str, int] = {}
    reactions: dict[str, set[str]] = {}
    for event in events:
        nudge_id: str = event.data.get("nudge_id", "")
        if event.type == EventType.NUDGE_SHOWN:
            shown.setdefault(nudge_id, (event.data["type"], event.occurred_at))
        elif event.type in REACTIONS:
            reaction = REACTIONS[event.type]
            if OUTCOME_RANK[reaction] > OUTCOME_RANK[outcome.get(nudge_id, Outcome.SHOWN)]:
                outcome[nudge_id] = reaction
            reactions.setdefault(nudge_id, set()).add(reaction)
            last_interaction[nudge_id] = max(event.occurred_at, last_interaction.get(nudge_id, 0))
    states = [
        NudgeState(
            nudge_id=nudge_id,
            type=kind,
            shown_at=shown_at,
            outcome=outcome.get(nudge_id, Outcome.SHOWN),
            last_interaction_at=last_interaction.get(nudge_id),
            reactions=frozenset(reactions.get(nudge_id, ())),
        )
        for nudge_id, (kind, shown_at) in shown.items()
    ]
    states.sort(key=lambda state: (state.shown_at, state.nudge_id), reverse=True)
    return states


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
    return {
        "clicked": Outcome.CLICKED in had,
        "dismissed": Outcome.DISMISSED in had,
        "chat_opened": Outcome.CHAT_OPENED in had,
    }
