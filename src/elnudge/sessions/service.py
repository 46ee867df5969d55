"""The Sessions API's rules: windows, retention, cursors, and the objects it returns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    return _session_objects((row,))[0]


def _session_objects(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    # One comprehension with local names: this runs once per listed session (up to 200 a
    # page); a function call per row took 103 us of CPU for 50 rows where this takes 67 us
    # (bench/RESULTS.md, "Read path in process").
    timestamp = format_timestamp
    return [
        {
            "id": session_id,
            "started_at": timestamp(started_at),
            "ended_at": timestamp(ended_at),
            "page_count": page_count,
            "intent_score": intent_score,
            "converted": bool(converted),
            "nudge_count": nudge_count,
        }
        for session_id, started_at, ended_at, page_count, intent_score, converted, nudge_count in (
            row[:7] for row in rows
        )
    ]


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
    last = (rows[-1][1], rows[-1][0]) if has_more else None  # (started_at, session_id)
    return SessionPage(
        data=_session_objects(rows),
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
    """The session with its event log and nudges; the same 404 for every way of not being ours.

    One statement reads all of it (repository.session_detail), so the three parts always
    agree, without a transaction around them."""
    rows: Sequence[Sequence[Any]] = ()
    if ids.is_valid_id(session_id, ids.SESSION):
        rows = repository.session_detail(
            connection,
            site_id=principal.site_id,
            mode=principal.mode,
            session_id=session_id,
            lower_ms=api_window_start(principal, now_ms),
        )
    if not rows or rows[0][0] != repository.SESSION_PART:
        raise NotFound("No such session.", param="id")
    return detail_object(rows, with_scores=with_scores)


def detail_object(rows: Sequence[Sequence[Any]], *, with_scores: bool = False) -> dict[str, Any]:
    """The session object with its event log and nudges, from `repository.session_detail`'s
    rows of a visible session (its own row first)."""
    detail = session_object(rows[0][1:8])
    timestamp = format_timestamp
    # Rows of the log: (part, type, occurred_at, _, _, intent_score, _, _, url, …).
    log = [row for row in rows if row[0] == repository.EVENT_PART]
    detail["events"] = [
        {"type": row[1], "url": row[8], "occurred_at": timestamp(row[2])} for row in log
    ]
    if with_scores:  # the dashboard's curve: the score after each event (not in the API)
        for event, row in zip(detail["events"], log, strict=True):
            event["intent_score"] = row[5]
    # Rows of nudges: (part, nudge_id, shown_at, _, _, _, influenced_conversion, _, type, outcome).
    detail["nudges"] = [
        {
            "nudge_id": row[1],
            "type": row[8],
            "shown_at": timestamp(row[2]),
            "outcome": row[9],
            "influenced_conversion": bool(row[6]),
        }
        for row in rows
        if row[0] == repository.NUDGE_PART
    ]
    return detail
