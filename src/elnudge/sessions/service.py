"""The Sessions API's rules: windows, retention, cursors, and the objects it returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.errors import InvalidRequest, NotFound
from elnudge.keys.service import Principal
from elnudge.sessions import repository
from elnudge.sessions.cursor import Cursor, decode_cursor, encode_cursor
from elnudge.sessions.schemas import ListQuery
from elnudge.timestamps import DAY_MS, format_timestamp, parse_timestamp

DEFAULT_LOOKBACK_DAYS = 30


@dataclass(frozen=True, slots=True)
class SessionPage:
    data: list[dict[str, Any]]
    next_cursor: str | None
    has_more: bool


def session_object(row: Sequence[Any]) -> dict[str, Any]:
    """The seed's seven fields, in the seed's order, from a row of repository.LIST_COLUMNS."""
    # Positional unpacking: this runs once per listed session, and is cheaper than a mapping.
    session_id, started_at, ended_at, page_count, intent_score, converted, nudge_count = row
    return {
        "id": session_id,
        "started_at": format_timestamp(started_at),
        "ended_at": format_timestamp(ended_at),
        "page_count": page_count,
        "intent_score": intent_score,
        "converted": bool(converted),
        "nudge_count": nudge_count,
    }


def _window_start(principal: Principal, now_ms: int) -> int:
    """Sessions that started before this are outside the plan's API window: invisible."""
    return now_ms - principal.api_window_days * DAY_MS


def _parse_time(value: str | None, param: str) -> int | None:
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError as error:
        message = f"Invalid {param}: expected an ISO 8601 timestamp such as 2026-04-01T00:00:00Z."
        raise InvalidRequest(message, param=param) from error


def _resolve_window(
    query: ListQuery, principal: Principal, now_ms: int
) -> tuple[int, int, Cursor | None]:
    """The query's [from, to) window in ms, and the cursor when continuing a walk."""
    from_ms = _parse_time(query.from_, "from")
    to_ms = _parse_time(query.to, "to")
    if query.cursor is not None:
        cursor = decode_cursor(
            query.cursor, secret=principal.cursor_secret, scope=_scope(principal)
        )
        for param, given, kept in (("from", from_ms, cursor.from_ms), ("to", to_ms, cursor.to_ms)):
            if given is not None and given != kept:
                message = f"{param} differs from the cursor's query; omit it or repeat its value."
                raise InvalidRequest(message, param=param)
        return cursor.from_ms, cursor.to_ms, cursor
    if from_ms is not None and to_ms is not None and from_ms > to_ms:
        raise InvalidRequest("from must not be later than to.", param="from")
    # A default bound never contradicts the given one: `to` alone before the default `from`
    # (or `from` alone after now) is simply an empty window, not an error about a parameter
    # the caller did not send.
    if from_ms is None:
        from_ms = min(now_ms - DEFAULT_LOOKBACK_DAYS * DAY_MS, now_ms if to_ms is None else to_ms)
    if to_ms is None:
        to_ms = max(now_ms, from_ms)
    return from_ms, to_ms, None


def _scope(principal: Principal) -> str:
    return f"{principal.site_id}:{principal.mode}"


def list_sessions(
    connection: Connection, principal: Principal, query: ListQuery, now_ms: int
) -> SessionPage:
    """One page of sessions, newest first; never older than the plan's API window."""
    from_ms, to_ms, cursor = _resolve_window(query, principal, now_ms)
    rows = repository.list_page(
        connection,
        site_id=principal.site_id,
        mode=principal.mode,
        lower_ms=max(from_ms, _window_start(principal, now_ms)),
        upper_ms=to_ms,
        after=None if cursor is None else (cursor.last_started_at, cursor.last_id),
        limit=query.limit + 1,
    )
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = None
    if has_more:
        last = rows[-1]
        position = Cursor(
            last_id=last.session_id, last_started_at=last.started_at, from_ms=from_ms, to_ms=to_ms
        )
        next_cursor = encode_cursor(
            position, secret=principal.cursor_secret, scope=_scope(principal)
        )
    return SessionPage(
        data=[session_object(row) for row in rows], next_cursor=next_cursor, has_more=has_more
    )


def get_session(
    connection: Connection, principal: Principal, session_id: str, now_ms: int
) -> dict[str, Any]:
    """The session with its event log and nudges; the same 404 for every way of not being ours."""
    row = None
    if ids.is_valid_id(session_id, ids.SESSION):
        row = repository.get_session(
            connection,
            site_id=principal.site_id,
            mode=principal.mode,
            session_id=session_id,
            lower_ms=_window_start(principal, now_ms),
        )
    if row is None:
        raise NotFound("No such session.", param="id")
    detail = session_object(row)
    detail["events"] = [
        {"type": event.type, "url": event.url, "occurred_at": format_timestamp(event.occurred_at)}
        for event in repository.session_events(connection, principal.site_id, session_id)
    ]
    detail["nudges"] = [
        {
            "nudge_id": nudge.nudge_id,
            "type": nudge.type,
            "shown_at": format_timestamp(nudge.shown_at),
            "outcome": nudge.outcome,
            "influenced_conversion": bool(nudge.influenced_conversion),
        }
        for nudge in repository.session_nudges(connection, principal.site_id, session_id)
    ]
    return detail
