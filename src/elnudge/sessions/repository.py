"""All SQL of the Sessions API's read side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, String, bindparam, false, func, select, tuple_
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from elnudge.db.tables import events, nudges, sessions
from elnudge.sessions.filters import SessionFilters
from elnudge.vocabulary import NUDGE_EVENTS

# Rows of any width; `.all()` fetches them in one call (iterating fetched them one by one).
Rows = Sequence[Row[*tuple[Any, ...]]]

LIST_COLUMNS = (
    sessions.c.session_id,
    sessions.c.started_at,
    sessions.c.ended_at,
    sessions.c.page_count,
    sessions.c.intent_score,
    sessions.c.converted,
    sessions.c.nudge_count,
)


# Built once with named parameters: constructing the statement on every request cost more
# than running it (see the commit that introduced these).
_PAGE_RANGE = (
    sessions.c.site_id == bindparam("site_id"),
    sessions.c.mode == bindparam("mode"),
    sessions.c.is_bot == false(),
    sessions.c.started_at >= bindparam("lower_ms"),
)
_NEWEST_FIRST = (sessions.c.started_at.desc(), sessions.c.session_id.desc())
_FIRST_PAGE = (
    select(*LIST_COLUMNS)
    .where(*_PAGE_RANGE, sessions.c.started_at < bindparam("upper_ms"))
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("limit"))
)
_NEXT_PAGE = (
    select(*LIST_COLUMNS)
    .where(
        *_PAGE_RANGE,
        tuple_(sessions.c.started_at, sessions.c.session_id)
        < tuple_(
            bindparam("after_started_at", type_=BigInteger()),
            bindparam("after_id", type_=String()),
        ),
    )
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("limit"))
)
_ONE_SESSION = select(*LIST_COLUMNS).where(
    sessions.c.site_id == bindparam("site_id"),
    sessions.c.session_id == bindparam("session_id"),
    sessions.c.mode == bindparam("mode"),
    sessions.c.is_bot == false(),
    sessions.c.started_at >= bindparam("lower_ms"),
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
    filters: SessionFilters | None = None,
) -> Rows:
    """Up to `limit` sessions newest first, in [lower_ms, upper_ms) and before `after`.

    Rows are LIST_COLUMNS in order. One range scan of ix_sessions_list. The cursor's position
    replaces the `to` bound rather than adding to it, so SQLite keeps the index range on deep
    pages.
    """
    params: dict[str, Any] = {"site_id": site_id, "mode": mode, "lower_ms": lower_ms}
    params["limit"] = limit
    conditions = _filter_conditions(filters) if filters else []
    if after is None:
        first = _FIRST_PAGE.where(*conditions) if conditions else _FIRST_PAGE
        return connection.execute(first, {**params, "upper_ms": upper_ms}).all()
    after_params = {"after_started_at": after[0], "after_id": after[1]}
    following = _NEXT_PAGE.where(*conditions) if conditions else _NEXT_PAGE
    return connection.execute(following, {**params, **after_params}).all()


def _filter_conditions(filters: SessionFilters) -> list[ColumnElement[bool]]:
    """The dashboard's filters as conditions on the list's range (the API sends none)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.converted is not None:
        conditions.append(sessions.c.converted == filters.converted)
    if filters.min_intent is not None:
        conditions.append(sessions.c.intent_score >= filters.min_intent)
    if filters.with_nudges is not None:
        has = sessions.c.nudge_count > 0
        conditions.append(has if filters.with_nudges else sessions.c.nudge_count == 0)
    return conditions


def get_session(
    connection: Connection, *, site_id: str, mode: str, session_id: str, lower_ms: int
) -> Sequence[Any] | None:
    """The session's LIST_COLUMNS, when it is visible."""
    params = {"site_id": site_id, "mode": mode, "session_id": session_id, "lower_ms": lower_ms}
    return connection.execute(_ONE_SESSION, params).first()


_SESSION_EVENTS = (
    select(events.c.type, events.c.url, events.c.occurred_at, events.c.intent_score)
    .where(
        events.c.site_id == bindparam("site_id"),
        events.c.session_id == bindparam("session_id"),
        events.c.type.not_in(sorted(NUDGE_EVENTS)),
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
_SESSION_NUDGES = (
    select(
        nudges.c.nudge_id,
        nudges.c.type,
        nudges.c.shown_at,
        nudges.c.outcome,
        nudges.c.influenced_conversion,
    )
    .where(nudges.c.site_id == bindparam("site_id"), nudges.c.session_id == bindparam("session_id"))
    .order_by(nudges.c.shown_at.desc(), nudges.c.nudge_id.desc())
)


def session_events(connection: Connection, site_id: str, session_id: str) -> Rows:
    """The session's log, oldest first, without nudge events (they feed `nudges`)."""
    params = {"site_id": site_id, "session_id": session_id}
    return connection.execute(_SESSION_EVENTS, params).all()


def session_nudges(connection: Connection, site_id: str, session_id: str) -> Rows:
    """The session's nudges, newest first."""
    params = {"site_id": site_id, "session_id": session_id}
    return connection.execute(_SESSION_NUDGES, params).all()
