"""All SQL of the Sessions API's read side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    exists,
    false,
    func,
    literal_column,
    null,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from elnudge.db.prebuilt import Prebuilt
from elnudge.db.tables import events, nudges, sessions
from elnudge.sessions.filters import SessionFilters
from elnudge.vocabulary import NUDGE_EVENTS

# Rows of any width, read by position: plain tuples from the driver, or SQLAlchemy rows.
Rows = Sequence[Sequence[Any]]

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
_PREBUILT_FIRST, _PREBUILT_NEXT = Prebuilt(_FIRST_PAGE), Prebuilt(_NEXT_PAGE)
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
    if after is None:
        statement, prebuilt, params["upper_ms"] = _FIRST_PAGE, _PREBUILT_FIRST, upper_ms
    else:
        statement, prebuilt = _NEXT_PAGE, _PREBUILT_NEXT
        params["after_started_at"], params["after_id"] = after
    conditions = _filter_conditions(filters) if filters else []
    if conditions:  # the dashboard's filters: a statement built per request
        return connection.execute(statement.where(*conditions), params).all()
    return prebuilt.fetch_all(connection, params)


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


# A session with its log and nudges in one statement (one round trip, one snapshot): the
# session's row, then its events oldest first, then its nudges newest first, each a row of
# DETAIL_COLUMNS tagged by `part`. Events and nudges come only with a visible session.
SESSION_PART, EVENT_PART, NUDGE_PART = 0, 1, 2
_VISIBLE = (
    sessions.c.site_id == bindparam("site_id"),
    sessions.c.session_id == bindparam("session_id"),
    sessions.c.mode == bindparam("mode"),
    sessions.c.is_bot == false(),
    sessions.c.started_at >= bindparam("lower_ms"),
)
_IS_VISIBLE = exists().where(*_VISIBLE)


def _none(type_: TypeEngine[Any]) -> ColumnElement[Any]:
    return cast(null(), type_)


def _part(number: int) -> ColumnElement[int]:
    return literal_column(str(number), Integer)


DETAIL_COLUMNS = ("part", *(column.name for column in LIST_COLUMNS), "url", "outcome")
_SESSION_ROW = select(
    _part(SESSION_PART).label("part"),
    *LIST_COLUMNS,  # [1:8]: a row of LIST_COLUMNS
    _none(Text()).label("url"),
    _none(String()).label("outcome"),
    # The order of the log and of the nudges (only ORDER BY on a UNION's own columns is portable).
    _none(BigInteger()).label("nudge_time"),
    _none(String()).label("nudge_key"),
    _none(String()).label("event_key"),
    _none(String()).label("event_id"),
).where(*_VISIBLE)
_EVENT_ROWS = select(
    _part(EVENT_PART),
    events.c.type,
    events.c.occurred_at,
    _none(BigInteger()),
    _none(Integer()),
    events.c.intent_score,
    _none(Boolean()),
    _none(Integer()),
    events.c.url,
    _none(String()),
    _none(BigInteger()),
    _none(String()),
    # The same order as ingestion's Member.sort_key (NULL ids sort as '' on both backends).
    func.coalesce(events.c.client_event_id, literal_column("''")),
    events.c.event_id,
).where(
    events.c.site_id == bindparam("site_id"),
    events.c.session_id == bindparam("session_id"),
    events.c.mode == bindparam("mode"),
    events.c.type.not_in([literal_column(f"'{name}'") for name in sorted(NUDGE_EVENTS)]),
    _IS_VISIBLE,
)
_NUDGE_ROWS = select(
    _part(NUDGE_PART),
    nudges.c.nudge_id,
    nudges.c.shown_at,
    _none(BigInteger()),
    _none(Integer()),
    _none(Integer()),
    nudges.c.influenced_conversion,
    _none(Integer()),
    nudges.c.type,
    nudges.c.outcome,
    nudges.c.shown_at,
    nudges.c.nudge_id,
    _none(String()),
    _none(String()),
).where(
    nudges.c.site_id == bindparam("site_id"),
    nudges.c.session_id == bindparam("session_id"),
    nudges.c.mode == bindparam("mode"),
    _IS_VISIBLE,
)
_PARTS = union_all(_SESSION_ROW, _EVENT_ROWS, _NUDGE_ROWS)
_ORDER = _PARTS.selected_columns
_SESSION_DETAIL = Prebuilt(
    _PARTS.order_by(
        _ORDER.part,
        _ORDER.nudge_time.desc(),
        _ORDER.nudge_key.desc(),
        _ORDER.started_at,  # an event's occurred_at
        _ORDER.event_key,
        _ORDER.session_id,  # an event's type
        _ORDER.url,
        _ORDER.event_id,
    )
)


def session_detail(
    connection: Connection, *, site_id: str, mode: str, session_id: str, lower_ms: int
) -> list[tuple[Any, ...]]:
    """The session's rows (see SESSION_PART), or none when it is not visible. Of each row, the
    first len(DETAIL_COLUMNS) values:
    - the session: SESSION_PART, then its LIST_COLUMNS, None, None;
    - an event (not a nudge event): EVENT_PART, type, occurred_at, None, None, intent_score,
      None, None, url, None;
    - a nudge: NUDGE_PART, nudge_id, shown_at, None, None, None, influenced_conversion, None,
      type, outcome.
    """
    params = {"site_id": site_id, "mode": mode, "session_id": session_id, "lower_ms": lower_ms}
    return _SESSION_DETAIL.fetch_all(connection, params)
