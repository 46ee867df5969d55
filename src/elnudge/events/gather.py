"""What a batch meets: for each client key, its new events and the stored sessions they touch.

A stored session is touched when its span, widened by 30 minutes on each side, holds a new event
of its client key. Touched sessions' events are read back so sessionization can regroup them
with the new ones, except in the common case where the new events only extend the one session
they touch: then the session's stored summary state is enough (see `sessions/summary.py`), with
its stored nudges when the new events change them.
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
from elnudge.sessions.summary import can_append_shows, can_extend
from elnudge.vocabulary import NUDGE_EVENTS, Event, EventType


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
    only extend one stored session whose events were not read — that session, with its
    stored nudges when the new events change them (else None)."""

    client_key: str
    members: list[Member]
    started_at: dict[str, int]
    extends: Record | None
    extends_nudges: list[Record] | None = None


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
    nudges = _extended_nudges(connection, site_id, mode, extends, new_by_key)
    return [
        KeyWork(
            client_key=key,
            members=[*new, *stored_by_key[key]],
            started_at={row.session_id: row.started_at for row in touched[key]},
            extends=extends.get(key),
            extends_nudges=nudges.get(key),
        )
        for key, new in new_by_key.items()
    ]


def _extended_nudges(
    connection: Connection,
    site_id: str,
    mode: str,
    extends: dict[str, Record],
    new_by_key: dict[str, list[Member]],
) -> dict[str, list[Record]]:
    """The stored nudge rows of each extended session whose new events change them (by client
    key): a nudge event does, and so does a purchase when the session has nudges (it can
    credit them). Only sessions with nudges are read."""
    changed = {
        key: session
        for key, session in extends.items()
        if any(
            member.event.type in NUDGE_EVENTS
            or (member.event.type == EventType.PURCHASE and session.nudge_count)
            for member in new_by_key[key]
        )
    }
    nudges: dict[str, list[Record]] = {key: [] for key in changed}
    key_of = {session.session_id: key for key, session in changed.items() if session.nudge_count}
    for row in repository.nudges_of_sessions(connection, site_id, mode, list(key_of)):
        nudges[key_of[row.session_id]].append(row)
    return nudges


def _only_extends(session: Record, members: list[Member]) -> bool:
    """True when appending `members` to `session` leaves its earlier events' results as they
    are: all come after its last event, none names another visitor, the session's summary
    state is stored, and none shows a nudge the session reacted to before showing it (those
    reactions are in its events only: see `summary.can_append_shows`)."""
    if not can_extend(session.summary_state) or not all(
        member.event.occurred_at > session.ended_at
        and member.visitor_id in (None, session.visitor_id)
        for member in members
    ):
        return False
    shown = {
        member.event.data["nudge_id"]
        for member in members
        if member.event.type == EventType.NUDGE_SHOWN
    }
    return not shown or can_append_shows(session.summary_state, shown)


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
