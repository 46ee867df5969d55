"""The Sessions API's rules: windows, retention, cursors, and the objects it returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.errors import NotFound
from elnudge.keys.service import Principal
from elnudge.pagination import Listing, api_window_start, next_cursor, resolve_window
from elnudge.sessions import repository
from elnudge.sessions.filters import SessionFilters, filters_from
from elnudge.sessions.schemas import ListQuery
from elnudge.timestamps import format_timestamp

NO_FILTERS = SessionFilters()


@dataclass(frozen=True, slots=True)
class SessionPage:
    data: list[dict[str, Any]]
    next_cursor: str | None
    has_more: bool
    filters: SessionFilters = NO_FILTERS  # those the page applied (a cursor's, when continuing)


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


SESSIONS = Listing(position="started_at", is_id=lambda value: ids.is_valid_id(value, ids.SESSION))


def list_sessions(
    connection: Connection,
    principal: Principal,
    query: ListQuery,
    now_ms: int,
    filters: SessionFilters = NO_FILTERS,
) -> SessionPage:
    """One page of sessions, newest first; never older than the plan's API window. The
    dashboard's `filters` travel in the cursor like the window does."""
    window = resolve_window(
        given_from=query.from_,
        given_to=query.to,
        filters=filters.as_strings(),
        cursor=query.cursor,
        listing=SESSIONS,
        principal=principal,
        now_ms=now_ms,
    )
    rows = repository.list_page(
        connection,
        site_id=principal.site_id,
        mode=principal.mode,
        lower_ms=max(window.from_ms, api_window_start(principal, now_ms)),
        upper_ms=window.to_ms,
        after=window.after,
        limit=query.limit + 1,
        filters=(applied := filters_from(window.filters)),
    )
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    last = (rows[-1].started_at, rows[-1].session_id) if has_more else None
    return SessionPage(
        data=[session_object(row) for row in rows],
        next_cursor=next_cursor(window, last, SESSIONS, principal),
        has_more=has_more,
        filters=applied,
    )


def get_session(
    connection: Connection,
    principal: Principal,
    session_id: str,
    now_ms: int,
    *,
    with_scores: bool = False,
) -> dict[str, Any]:
    """The session with its event log and nudges; the same 404 for every way of not being ours."""
    row = None
    if ids.is_valid_id(session_id, ids.SESSION):
        row = repository.get_session(
            connection,
            site_id=principal.site_id,
            mode=principal.mode,
            session_id=session_id,
            lower_ms=api_window_start(principal, now_ms),
        )
    if row is None:
        raise NotFound("No such session.", param="id")
    detail = session_object(row)
    detail["events"] = [
        _event_object(event, with_scores)
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


def _event_object(event: Any, with_score: bool) -> dict[str, Any]:
    """An event of the log; `with_score` adds the intent score after it (the dashboard's
    curve; the API's log has no such field)."""
    item = {
        "type": event.type,
        "url": event.url,
        "occurred_at": format_timestamp(event.occurred_at),
    }
    if with_score:
        item["intent_score"] = event.intent_score
    return item
