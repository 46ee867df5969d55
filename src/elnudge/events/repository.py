"""All SQL of ingestion: duplicates, nearby sessions, their events, and the writes.

Every statement is built once (`db/prebuilt.py`): a batch runs a dozen of them with hundreds of
rows, and rebuilding them per batch cost more than the database's own work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from elnudge.db import dialect
from elnudge.db.prebuilt import Prebuilt, PrebuiltIn, Record
from elnudge.db.tables import events, nudge_offers, nudges, sessions
from elnudge.vocabulary import EventType

_SITE: BindParameter[str] = bindparam("site_id")
_MODE: BindParameter[str] = bindparam("mode")


_KNOWN_CLIENT_EVENT_IDS = PrebuiltIn(
    lambda member: select(events.c.client_event_id).where(
        events.c.site_id == _SITE,
        events.c.mode == _MODE,
        events.c.id_scope == bindparam("id_scope"),
        member(events.c.client_event_id),
    )
)


def known_client_event_ids(
    connection: Connection, site_id: str, mode: str, id_scope: str, candidates: Sequence[str]
) -> set[str]:
    """Which of these client event ids are stored already in this site, mode and id scope."""
    params = {"site_id": site_id, "mode": mode, "id_scope": id_scope}
    return {row[0] for row in _KNOWN_CLIENT_EVENT_IDS.fetch_all(connection, candidates, **params)}


_SESSIONS_NEAR = PrebuiltIn(
    lambda member: select(
        sessions.c.session_id,
        sessions.c.client_key,
        sessions.c.started_at,
        sessions.c.ended_at,
        sessions.c.visitor_id,
        sessions.c.event_count,
        sessions.c.converted,
        sessions.c.nudge_count,
        sessions.c.summary_state,
    ).where(
        sessions.c.site_id == _SITE,
        sessions.c.mode == _MODE,
        member(sessions.c.client_key),
        sessions.c.started_at <= bindparam("high"),
        sessions.c.ended_at >= bindparam("low"),
    )
)


def sessions_near(
    connection: Connection, site_id: str, mode: str, client_keys: Sequence[str], low: int, high: int
) -> list[Record]:
    """Sessions of these client keys that overlap [low, high]."""
    params = {"site_id": site_id, "mode": mode, "low": low, "high": high}
    return _SESSIONS_NEAR.fetch_all(connection, client_keys, **params)


_EVENTS_OF_SESSIONS = PrebuiltIn(
    lambda member: select(
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
    ).where(events.c.site_id == _SITE, member(events.c.session_id))
)


def events_of_sessions(
    connection: Connection, site_id: str, session_ids: Sequence[str]
) -> list[Record]:
    return _EVENTS_OF_SESSIONS.fetch_all(connection, session_ids, site_id=site_id)


_NUDGE_OWNERS = PrebuiltIn(
    lambda member: select(nudges.c.nudge_id, nudges.c.session_id).where(
        nudges.c.site_id == _SITE, nudges.c.mode == _MODE, member(nudges.c.nudge_id)
    )
)


def nudge_owners(
    connection: Connection, site_id: str, mode: str, nudge_ids: Sequence[str]
) -> dict[str, str]:
    """The session each of these nudges is recorded in already, in this mode."""
    rows = _NUDGE_OWNERS.fetch_all(connection, nudge_ids, site_id=site_id, mode=mode)
    return {row.nudge_id: row.session_id for row in rows}


_NUDGES_OF_SESSIONS = PrebuiltIn(
    lambda member: select(
        nudges.c.nudge_id,
        nudges.c.session_id,
        nudges.c.type,
        nudges.c.shown_at,
        nudges.c.outcome,
        nudges.c.last_interaction_at,
        nudges.c.influenced_conversion,
        nudges.c.clicked,
        nudges.c.dismissed,
        nudges.c.chat_opened,
    ).where(nudges.c.site_id == _SITE, nudges.c.mode == _MODE, member(nudges.c.session_id))
)


def nudges_of_sessions(
    connection: Connection, site_id: str, mode: str, session_ids: Sequence[str]
) -> list[Record]:
    """The stored nudges of these sessions (a session's are those it showed)."""
    return _NUDGES_OF_SESSIONS.fetch_all(connection, session_ids, site_id=site_id, mode=mode)


_DELETE_SESSIONS = PrebuiltIn(
    lambda member: delete(sessions).where(
        sessions.c.site_id == _SITE, member(sessions.c.session_id)
    )
)
_DELETE_NUDGES_OF = PrebuiltIn(
    lambda member: delete(nudges).where(nudges.c.site_id == _SITE, member(nudges.c.session_id))
)


def delete_sessions(connection: Connection, site_id: str, session_ids: Sequence[str]) -> None:
    _DELETE_SESSIONS.execute_all(connection, session_ids, site_id=site_id)


def delete_nudges_of(connection: Connection, site_id: str, session_ids: Sequence[str]) -> None:
    _DELETE_NUDGES_OF.execute_all(connection, session_ids, site_id=site_id)


_MOVE_OFFERS = Prebuilt(
    update(nudge_offers)
    .where(
        nudge_offers.c.site_id == bindparam("b_site_id"),
        nudge_offers.c.session_id == bindparam("b_merged"),
    )
    .values(session_id=bindparam("survivor"))
)


def move_offers(connection: Connection, site_id: str, merged_into: dict[str, str]) -> None:
    """The engine's offers of merged sessions belong to the session they merged into."""
    rows = [
        {"b_site_id": site_id, "b_merged": merged, "survivor": survivor}
        for merged, survivor in merged_into.items()
    ]
    _MOVE_OFFERS.execute_many(connection, rows)


_TABLES = {"sessions": sessions, "events": events, "nudges": nudges}
# (table, columns) -> its INSERT; the rows of one call all have the same keys.
_INSERTS: dict[tuple[str, tuple[str, ...]], Prebuilt] = {}


def _insert(table: Table, columns: tuple[str, ...]) -> Prebuilt:
    prebuilt = _INSERTS.get((table.name, columns))
    if prebuilt is None:
        values: dict[str, Any] = {name: bindparam(name) for name in columns}
        prebuilt = _INSERTS[table.name, columns] = Prebuilt(insert(table).values(values))
    return prebuilt


def insert_rows(connection: Connection, table_name: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys (COPY on PostgreSQL)."""
    if not rows:
        return
    columns = tuple(rows[0])
    if dialect.can_copy(connection):
        values = [tuple(row[name] for name in columns) for row in rows]
        dialect.copy_rows(connection, table_name, columns, values)
    else:
        _insert(_TABLES[table_name], columns).execute_many(connection, rows)


_SESSION_VALUES = (
    "visitor_id",
    "started_at",
    "ended_at",
    "page_count",
    "intent_score",
    "converted",
    "nudge_count",
    "event_count",
    "summary_state",
)
# What appending events to a session changes (sessions/summary.py `Extension`, and `converted`
# when a purchase is appended).
_EXTENSION_VALUES = (
    "ended_at",
    "page_count",
    "intent_score",
    "event_count",
    "converted",
    "nudge_count",
    "summary_state",
)


def _session_update(columns: tuple[str, ...]) -> Prebuilt:
    return Prebuilt(
        update(sessions)
        .where(
            sessions.c.site_id == bindparam("b_site_id"),
            sessions.c.session_id == bindparam("b_session_id"),
        )
        .values({name: bindparam(name) for name in columns})
    )


_UPDATE_SESSION = _session_update(_SESSION_VALUES)
_UPDATE_BOT_SESSION = _session_update((*_SESSION_VALUES, "is_bot"))
_EXTEND_SESSION = _session_update(_EXTENSION_VALUES)
_EXTEND_BOT_SESSION = _session_update((*_EXTENSION_VALUES, "is_bot"))


def update_sessions(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Rewrite derived fields; each row has `b_site_id`, `b_session_id` and the new values
    (plus `is_bot` in every row, or in none)."""
    if rows:
        statement = _UPDATE_BOT_SESSION if "is_bot" in rows[0] else _UPDATE_SESSION
        statement.execute_many(connection, rows)


def extend_sessions(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Like `update_sessions`, for sessions that only had events appended: rows hold the
    fields of an `Extension` (plus `is_bot` in every row, or in none)."""
    if rows:
        statement = _EXTEND_BOT_SESSION if "is_bot" in rows[0] else _EXTEND_SESSION
        statement.execute_many(connection, rows)


_UPDATE_EVENTS = Prebuilt(
    update(events)
    .where(events.c.site_id == bindparam("b_site_id"), events.c.event_id == bindparam("b_event_id"))
    .values(session_id=bindparam("session_id"), intent_score=bindparam("intent_score"))
)


def update_events(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Move events to their session and refresh their score: rows of b_site_id, b_event_id,
    session_id, intent_score."""
    _UPDATE_EVENTS.execute_many(connection, rows)


_SESSIONS_OF_VISITORS = PrebuiltIn(
    lambda member: select(sessions.c.session_id, sessions.c.visitor_id).where(
        sessions.c.site_id == _SITE, sessions.c.mode == _MODE, member(sessions.c.visitor_id)
    )
)
_PURCHASES_OF_SESSIONS = PrebuiltIn(
    lambda member: select(events.c.session_id, events.c.occurred_at).where(
        events.c.site_id == _SITE,
        member(events.c.session_id),
        events.c.type == bindparam("type"),
    )
)


def visitor_purchase_times(
    connection: Connection, site_id: str, mode: str, visitor_ids: Sequence[str]
) -> dict[str, list[int]]:
    """Every purchase time of each visitor's sessions, oldest first.

    Two indexed lookups rather than one join: without statistics SQLite would drive a join from
    all of the site's events, a cost that grows with the site's whole history.
    """
    sessions_of = _SESSIONS_OF_VISITORS.fetch_all(
        connection, visitor_ids, site_id=site_id, mode=mode
    )
    visitor_of = {row.session_id: row.visitor_id for row in sessions_of}
    times: dict[str, list[int]] = {visitor: [] for visitor in visitor_ids}
    purchases = _PURCHASES_OF_SESSIONS.fetch_all(
        connection, list(visitor_of), site_id=site_id, type=EventType.PURCHASE
    )
    for row in purchases:
        times[visitor_of[row.session_id]].append(row.occurred_at)
    for purchase_times in times.values():
        purchase_times.sort()
    return times


_ENGAGED_NUDGES = PrebuiltIn(
    lambda member: select(
        nudges.c.nudge_id,
        nudges.c.visitor_id,
        nudges.c.last_interaction_at,
        nudges.c.influenced_conversion,
    ).where(
        nudges.c.site_id == _SITE,
        nudges.c.mode == _MODE,
        member(nudges.c.visitor_id),
        nudges.c.last_interaction_at.is_not(None),
    )
)


def visitor_engaged_nudges(
    connection: Connection, site_id: str, mode: str, visitor_ids: Sequence[str]
) -> list[Record]:
    """Nudges of these visitors that were interacted with (only those can influence)."""
    return _ENGAGED_NUDGES.fetch_all(connection, visitor_ids, site_id=site_id, mode=mode)


_SET_INFLUENCED = Prebuilt(
    update(nudges)
    .where(
        nudges.c.site_id == bindparam("b_site_id"),
        nudges.c.mode == bindparam("b_mode"),
        nudges.c.nudge_id == bindparam("b_nudge_id"),
    )
    .values(influenced_conversion=bindparam("influenced"))
)


def set_influenced(
    connection: Connection, site_id: str, mode: str, changes: dict[str, bool]
) -> None:
    rows = [
        {"b_site_id": site_id, "b_mode": mode, "b_nudge_id": nudge_id, "influenced": value}
        for nudge_id, value in changes.items()
    ]
    _SET_INFLUENCED.execute_many(connection, rows)


def last_event_at(connection: Connection, site_id: str, mode: str) -> int | None:
    """When the site's newest event in `mode` happened (epoch ms), or None before the first:
    the dashboard's "events arriving". One backwards step on ix_events_age."""
    query = select(func.max(events.c.occurred_at)).where(
        events.c.site_id == site_id, events.c.mode == mode
    )
    value = connection.execute(query).scalar()
    return None if value is None else int(value)
