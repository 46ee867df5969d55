"""What a batch meets: for each client key, its new events and the stored sessions they touch.

A stored session is touched when its span, widened by 30 minutes on each side, holds a new event
of its client key. Touched sessions' events are read back so sessionization can regroup them
with the new ones, except in the common case where the new events only extend the one session
they touch: then the session's stored summary state is enough (see `sessions/summary.py`).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy.engine import Connection

from elnudge.db.prebuilt import Record
from elnudge.events import repository
from elnudge.events.validation import ValidEvent
from elnudge.sessions.sessionize import INACTIVITY_MS, Member
from elnudge.sessions.summary import NOT_APPENDABLE, can_extend
from elnudge.vocabulary import Event, EventType


@dataclass(frozen=True, slots=True)
class Incoming:
    """An event of the batch that is new (not a duplicate): its place in the batch and the
    server id it is stored under."""

    index: int
    event_id: str
    valid: ValidEvent

    def member(self) -> Member:
        return Member(
            event=self.valid.event,
            event_id=self.event_id,
            client_event_id=self.valid.client_event_id,
            visitor_id=self.valid.visitor_id,
            session_id=None,
            stored_score=None,
        )


@dataclass(frozen=True, slots=True)
class KeyWork:
    """One client key's part of the batch: its new events plus the stored events of the
    sessions they touch (`members`), those sessions' start times, and — when the new events
    only extend one stored session whose events were not read — that session."""

    client_key: str
    members: list[Member]
    started_at: dict[str, int]
    extends: Record | None


def gather(
    connection: Connection, site_id: str, mode: str, incoming: Sequence[Incoming]
) -> list[KeyWork]:
    """Each client key's work, in the order the keys first appear in the batch."""
    new_by_key: dict[str, list[Member]] = defaultdict(list)
    for event in incoming:
        new_by_key[event.valid.client_key].append(event.member())
    touched: dict[str, list[Record]] = {key: [] for key in new_by_key}
    for row in _touched_sessions(connection, site_id, mode, new_by_key):
        touched[row.client_key].append(row)
    extends = {
        key: rows[0]
        for key, rows in touched.items()
        if len(rows) == 1 and _only_extends(rows[0], new_by_key[key])
    }
    to_read = [row for key, rows in touched.items() if key not in extends for row in rows]
    stored_by_key: dict[str, list[Member]] = defaultdict(list)
    session_ids = [row.session_id for row in to_read]
    for row in repository.events_of_sessions(connection, site_id, session_ids):
        stored_by_key[row.client_key].append(_stored_member(row))
    return [
        KeyWork(
            client_key=key,
            members=[*new, *stored_by_key[key]],
            started_at={row.session_id: row.started_at for row in touched[key]},
            extends=extends.get(key),
        )
        for key, new in new_by_key.items()
    ]


def _only_extends(session: Record, members: list[Member]) -> bool:
    """True when appending `members` to `session` leaves its earlier fields as they are: all
    come after its last event, none is a nudge event (they change nudge rows), none names
    another visitor, and the session's summary state is stored. A purchase may be appended
    when the session's own nudges' credit can be recomputed without their events: it has
    none, or it has a visitor (whose attribution the writer then refreshes, which covers the
    session's own nudges: they carry the visitor too)."""
    return (
        can_extend(session.summary_state)
        and all(
            member.event.occurred_at > session.ended_at
            and member.event.type not in NOT_APPENDABLE
            and member.visitor_id in (None, session.visitor_id)
            for member in members
        )
        and (
            session.nudge_count == 0
            or session.visitor_id is not None
            or all(member.event.type != EventType.PURCHASE for member in members)
        )
    )


def _touched_sessions(
    connection: Connection, site_id: str, mode: str, by_key: dict[str, list[Member]]
) -> list[Record]:
    """Stored sessions whose span, widened by 30 minutes each side, holds a new event."""
    times = {
        key: sorted(member.event.occurred_at for member in group) for key, group in by_key.items()
    }
    low = min(values[0] for values in times.values()) - INACTIVITY_MS
    high = max(values[-1] for values in times.values()) + INACTIVITY_MS
    nearby = repository.sessions_near(connection, site_id, mode, list(by_key), low, high)
    touched = []
    for row in nearby:
        key_times = times[row.client_key]
        first = bisect.bisect_left(key_times, row.started_at - INACTIVITY_MS)
        if first < len(key_times) and key_times[first] <= row.ended_at + INACTIVITY_MS:
            touched.append(row)
    return touched


def _stored_member(row: Record) -> Member:
    return Member(
        event=Event(
            type=row.type, occurred_at=row.occurred_at, url=row.url, data=orjson.loads(row.data)
        ),
        event_id=row.event_id,
        client_event_id=row.client_event_id,
        visitor_id=row.visitor_id,
        session_id=row.session_id,
        stored_score=row.intent_score,
    )
