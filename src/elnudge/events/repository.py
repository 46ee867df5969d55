"""All SQL of ingestion: duplicates, nearby sessions, their events, and the writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection, Row

from elnudge.db.tables import events, nudges, sessions
from elnudge.events import model as m

CHUNK = 500  # keeps IN lists well under every backend's parameter limit


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def known_client_event_ids(
    connection: Connection, site_id: str, mode: str, candidates: Sequence[str]
) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(candidates):
        query = select(events.c.client_event_id).where(
            events.c.site_id == site_id,
            events.c.mode == mode,
            events.c.client_event_id.in_(chunk),
        )
        found.update(connection.execute(query).scalars())
    return found


def sessions_near(
    connection: Connection, site_id: str, mode: str, client_keys: Sequence[str], low: int, high: int
) -> list[Row[Any]]:
    """Sessions of these client keys that overlap [low, high]."""
    rows: list[Row[Any]] = []
    columns = (
        sessions.c.session_id,
        sessions.c.client_key,
        sessions.c.started_at,
        sessions.c.ended_at,
        sessions.c.visitor_id,
    )
    for chunk in _chunks(client_keys):
        query = select(*columns).where(
            sessions.c.site_id == site_id,
            sessions.c.mode == mode,
            sessions.c.client_key.in_(chunk),
            sessions.c.started_at <= high,
            sessions.c.ended_at >= low,
        )
        rows.extend(connection.execute(query))
    return rows


def events_of_sessions(
    connection: Connection, site_id: str, session_ids: Sequence[str]
) -> list[Row[Any]]:
    rows: list[Row[Any]] = []
    for chunk in _chunks(session_ids):
        query = select(
            events.c.event_id,
            events.c.session_id,
            events.c.client_key,
            events.c.client_event_id,
            events.c.visitor_id,
            events.c.type,
            events.c.occurred_at,
            events.c.url,
            events.c.data,
            events.c.intent_score,
        ).where(events.c.site_id == site_id, events.c.session_id.in_(chunk))
        rows.extend(connection.execute(query))
    return rows


def nudge_owners(connection: Connection, site_id: str, nudge_ids: Sequence[str]) -> dict[str, str]:
    """The session each of these nudges is recorded in already."""
    owners: dict[str, str] = {}
    for chunk in _chunks(nudge_ids):
        query = select(nudges.c.nudge_id, nudges.c.session_id).where(
            nudges.c.site_id == site_id, nudges.c.nudge_id.in_(chunk)
        )
        owners.update({row.nudge_id: row.session_id for row in connection.execute(query)})
    return owners


def delete_sessions(connection: Connection, site_id: str, session_ids: Sequence[str]) -> None:
    for chunk in _chunks(session_ids):
        connection.execute(
            delete(sessions).where(sessions.c.site_id == site_id, sessions.c.session_id.in_(chunk))
        )


def delete_nudges_of(connection: Connection, site_id: str, session_ids: Sequence[str]) -> None:
    for chunk in _chunks(session_ids):
        connection.execute(
            delete(nudges).where(nudges.c.site_id == site_id, nudges.c.session_id.in_(chunk))
        )


def insert_rows(connection: Connection, table_name: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        table = {"sessions": sessions, "events": events, "nudges": nudges}[table_name]
        connection.execute(insert(table), rows)


def update_sessions(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Rewrite derived fields; each row has `b_site_id`, `b_session_id` and the new values."""
    if not rows:
        return
    values: dict[str, Any] = {
        name: bindparam(name) for name in rows[0] if not name.startswith("b_")
    }
    statement = (
        update(sessions)
        .where(
            sessions.c.site_id == bindparam("b_site_id"),
            sessions.c.session_id == bindparam("b_session_id"),
        )
        .values(**values)
    )
    connection.execute(statement, rows)


def update_events(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Move events to their session and refresh their score: rows of b_site_id, b_event_id,
    session_id, intent_score."""
    if not rows:
        return
    statement = (
        update(events)
        .where(
            events.c.site_id == bindparam("b_site_id"), events.c.event_id == bindparam("b_event_id")
        )
        .values(session_id=bindparam("session_id"), intent_score=bindparam("intent_score"))
    )
    connection.execute(statement, rows)


def visitor_purchase_times(
    connection: Connection, site_id: str, mode: str, visitor_ids: Sequence[str]
) -> dict[str, list[int]]:
    """Every purchase time of each visitor's sessions, oldest first.

    Two indexed lookups rather than one join: without statistics SQLite would drive a join from
    all of the site's events, a cost that grows with the site's whole history.
    """
    visitor_of: dict[str, str] = {}
    for chunk in _chunks(visitor_ids):
        query = select(sessions.c.session_id, sessions.c.visitor_id).where(
            sessions.c.site_id == site_id,
            sessions.c.mode == mode,
            sessions.c.visitor_id.in_(chunk),
        )
        visitor_of.update({row.session_id: row.visitor_id for row in connection.execute(query)})
    times: dict[str, list[int]] = {visitor: [] for visitor in visitor_ids}
    for chunk in _chunks(list(visitor_of)):
        query = select(events.c.session_id, events.c.occurred_at).where(
            events.c.site_id == site_id,
            events.c.session_id.in_(chunk),
            events.c.type == m.PURCHASE,
        )
        for session_id, occurred_at in connection.execute(query):
            times[visitor_of[session_id]].append(occurred_at)
    for purchase_times in times.values():
        purchase_times.sort()
    return times


def visitor_engaged_nudges(
    connection: Connection, site_id: str, mode: str, visitor_ids: Sequence[str]
) -> list[Row[Any]]:
    """Nudges of these visitors that were interacted with (only those can influence)."""
    rows: list[Row[Any]] = []
    for chunk in _chunks(visitor_ids):
        query = select(
            nudges.c.nudge_id,
            nudges.c.visitor_id,
            nudges.c.last_interaction_at,
            nudges.c.influenced_conversion,
        ).where(
            nudges.c.site_id == site_id,
            nudges.c.mode == mode,
            nudges.c.visitor_id.in_(chunk),
            nudges.c.last_interaction_at.is_not(None),
        )
        rows.extend(connection.execute(query))
    return rows


def set_influenced(connection: Connection, site_id: str, changes: dict[str, bool]) -> None:
    if not changes:
        return
    statement = (
        update(nudges)
        .where(nudges.c.site_id == site_id, nudges.c.nudge_id == bindparam("b_nudge_id"))
        .values(influenced_conversion=bindparam("influenced"))
    )
    rows = [{"b_nudge_id": nudge_id, "influenced": value} for nudge_id, value in changes.items()]
    connection.execute(statement, rows)
