"""All SQL of the Sessions API's read side."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, func, select, tuple_
from sqlalchemy.engine import Connection, Row, RowMapping

from elnudge.db.tables import events, nudges, sessions
from elnudge.events.model import NUDGE_TYPES

LIST_COLUMNS = (
    sessions.c.session_id,
    sessions.c.started_at,
    sessions.c.ended_at,
    sessions.c.page_count,
    sessions.c.intent_score,
    sessions.c.converted,
    sessions.c.nudge_count,
)


def list_page(
    connection: Connection,
    *,
    site_id: str,
    mode: str,
    lower_ms: int,
    upper_ms: int,
    after: tuple[int, str] | None,
    limit: int,
) -> list[Row[Any]]:
    """Up to `limit` sessions newest first, in [lower_ms, upper_ms) and before `after`.

    One range scan of ix_sessions_list. The cursor's position replaces the `to` bound rather
    than adding to it, so SQLite keeps the index range on deep pages.
    """
    position = (
        sessions.c.started_at < upper_ms
        if after is None
        else tuple_(sessions.c.started_at, sessions.c.session_id) < tuple_(*after)
    )
    query = (
        select(*LIST_COLUMNS)
        .where(
            sessions.c.site_id == site_id,
            sessions.c.mode == mode,
            sessions.c.is_bot == false(),
            sessions.c.started_at >= lower_ms,
            position,
        )
        .order_by(sessions.c.started_at.desc(), sessions.c.session_id.desc())
        .limit(limit)
    )
    return list(connection.execute(query))


def get_session(
    connection: Connection, *, site_id: str, mode: str, session_id: str, lower_ms: int
) -> RowMapping | None:
    query = select(*LIST_COLUMNS).where(
        sessions.c.site_id == site_id,
        sessions.c.session_id == session_id,
        sessions.c.mode == mode,
        sessions.c.is_bot == false(),
        sessions.c.started_at >= lower_ms,
    )
    return connection.execute(query).mappings().first()


def session_events(connection: Connection, site_id: str, session_id: str) -> list[Row[Any]]:
    """The session's log, oldest first, without nudge events (they feed `nudges`)."""
    query = (
        select(events.c.type, events.c.url, events.c.occurred_at)
        .where(
            events.c.site_id == site_id,
            events.c.session_id == session_id,
            events.c.type.not_in(sorted(NUDGE_TYPES)),
        )
        # The same order as ingestion's Member.sort_key (NULL ids sort as '' on both backends).
        .order_by(
            events.c.occurred_at,
            func.coalesce(events.c.client_event_id, ""),
            events.c.type,
            events.c.url,
            events.c.event_id,
        )
    )
    return list(connection.execute(query))


def session_nudges(connection: Connection, site_id: str, session_id: str) -> list[Row[Any]]:
    """The session's nudges, newest first."""
    query = (
        select(
            nudges.c.nudge_id,
            nudges.c.type,
            nudges.c.shown_at,
            nudges.c.outcome,
            nudges.c.influenced_conversion,
        )
        .where(nudges.c.site_id == site_id, nudges.c.session_id == session_id)
        .order_by(nudges.c.shown_at.desc(), nudges.c.nudge_id.desc())
    )
    return list(connection.execute(query))
