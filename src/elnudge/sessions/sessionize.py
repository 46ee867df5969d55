"""Grouping a client key's events into sessions by the 30-minute gap rule (docs/api.md, "How
events become sessions").

Events, sorted by time, belong to one session as long as no gap between neighbours exceeds
30 minutes. The grouping depends only on the events, never on the order they arrived in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from elnudge.vocabulary import Event

INACTIVITY_MS = 30 * 60 * 1000


@dataclass(frozen=True, slots=True)
class Member:
    """One event of a client key, stored already (`session_id` set) or new in this batch."""

    event: Event
    event_id: str
    client_event_id: str | None
    visitor_id: str | None
    session_id: str | None
    stored_score: int | None

    def sort_key(self) -> tuple[int, str, str, str, str]:
        # Ties on time are broken by what the sender chose, so arrival order never matters.
        event = self.event
        return (event.occurred_at, self.client_event_id or "", event.type, event.url, self.event_id)


@dataclass(frozen=True, slots=True)
class Group:
    """The events of one session after grouping, oldest first, and the session that keeps them."""

    members: list[Member]
    session_id: str | None  # the surviving stored session; None when the group is all new
    merged_ids: list[str]  # stored sessions folded into this one, to delete


def group_members(members: Sequence[Member], started_at: dict[str, int]) -> list[Group]:
    """Split `members` into sessions; `started_at` holds the stored sessions' start times.

    When a group holds events of several stored sessions, the earliest session survives.
    """
    ordered = sorted(members, key=Member.sort_key)
    runs: list[list[Member]] = []
    for member in ordered:
        if runs and member.event.occurred_at - runs[-1][-1].event.occurred_at <= INACTIVITY_MS:
            runs[-1].append(member)
        else:
            runs.append([member])
    return [_group(run, started_at) for run in runs]


def _group(run: list[Member], started_at: dict[str, int]) -> Group:
    stored = sorted(
        {member.session_id for member in run if member.session_id is not None},
        key=lambda session_id: (started_at[session_id], session_id),
    )
    if not stored:
        return Group(members=run, session_id=None, merged_ids=[])
    return Group(members=run, session_id=stored[0], merged_ids=stored[1:])


def session_visitor(members: Sequence[Member]) -> str | None:
    """The visitor a session belongs to: the latest `visitor_id` any of its events carried."""
    for member in reversed(members):
        if member.visitor_id is not None:
            return member.visitor_id
    return None
