"""All SQL of the nudges area: the engine's situation and offers, and the list of nudges."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    String,
    and_,
    bindparam,
    exists,
    false,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy.engine import Connection, Row

from elnudge.db.tables import events, nudge_offers, nudges, product_views, sessions
from elnudge.engine import Offer, Rule
from elnudge.vocabulary import Event, NudgeType

# Rows of any width (what `.first()` and `.all()` give).
SessionRow = Row[*tuple[Any, ...]]
ListRow = Row[*tuple[Any, ...]]

SESSION_COLUMNS = (
    sessions.c.session_id,
    sessions.c.client_key,
    sessions.c.visitor_id,
    sessions.c.started_at,
    sessions.c.is_bot,
    sessions.c.intent_score,
    sessions.c.summary_state,
    sessions.c.month_ordinal,
)

_SESSION_AT = (
    select(*SESSION_COLUMNS)
    .where(
        sessions.c.site_id == bindparam("site_id"),
        sessions.c.mode == bindparam("mode"),
        sessions.c.client_key == bindparam("client_key"),
        sessions.c.started_at <= bindparam("at"),
        sessions.c.ended_at >= bindparam("at"),
    )
    .limit(1)
)


def session_at(
    connection: Connection, site_id: str, mode: str, client_key: str, at_ms: int
) -> SessionRow | None:
    """The session of a client key that holds an event at `at_ms` (after ingestion, there is
    exactly one)."""
    params = {"site_id": site_id, "mode": mode, "client_key": client_key, "at": at_ms}
    return connection.execute(_SESSION_AT, params).first()


_SESSION = select(*SESSION_COLUMNS).where(
    sessions.c.site_id == bindparam("site_id"),
    sessions.c.mode == bindparam("mode"),
    sessions.c.session_id == bindparam("session_id"),
    sessions.c.is_bot == false(),
    sessions.c.started_at >= bindparam("lower_ms"),
)


def visible_session(
    connection: Connection, site_id: str, mode: str, session_id: str, lower_ms: int
) -> SessionRow | None:
    """A session the API may show (its mode, not a bot's, inside the window), or None."""
    params = {"site_id": site_id, "mode": mode, "session_id": session_id, "lower_ms": lower_ms}
    return connection.execute(_SESSION, params).first()


_OFFERS = select(
    nudge_offers.c.nudge_id,
    nudge_offers.c.type,
    nudge_offers.c.rule,
    nudge_offers.c.offered_at,
    nudge_offers.c.held_out,
).where(
    nudge_offers.c.site_id == bindparam("site_id"),
    nudge_offers.c.session_id == bindparam("session_id"),
    nudge_offers.c.mode == bindparam("mode"),
)


def offers_of(
    connection: Connection, site_id: str, mode: str, session_id: str
) -> tuple[Offer, ...]:
    """The engine's earlier offers to a session."""
    params = {"site_id": site_id, "mode": mode, "session_id": session_id}
    return tuple(
        Offer(
            nudge_id=row.nudge_id,
            type=NudgeType(row.type),
            rule=Rule(row.rule),
            offered_at=row.offered_at,
            held_out=bool(row.held_out),
        )
        for row in connection.execute(_OFFERS, params)
    )


def insert_offer(connection: Connection, row: dict[str, Any]) -> None:
    connection.execute(insert(nudge_offers), row)


def insert_offers(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Many offers at once (the demo records a batch's worth)."""
    if rows:
        connection.execute(insert(nudge_offers), list(rows))


_EVENTS_OF_SESSION = (
    select(events.c.type, events.c.occurred_at, events.c.url, events.c.data)
    .where(events.c.site_id == bindparam("site_id"), events.c.session_id == bindparam("session_id"))
    .order_by(events.c.occurred_at, func.coalesce(events.c.client_event_id, ""), events.c.type)
)


def events_of_session(connection: Connection, site_id: str, session_id: str) -> list[Event]:
    """A session's events, oldest first, as the engine folds them."""
    rows = connection.execute(_EVENTS_OF_SESSION, {"site_id": site_id, "session_id": session_id})
    return [Event(r.type, r.occurred_at, r.url, orjson.loads(r.data)) for r in rows]


_EARLIER_SESSION = select(
    exists().where(
        sessions.c.site_id == bindparam("site_id"),
        sessions.c.mode == bindparam("mode"),
        sessions.c.visitor_id == bindparam("visitor_id"),
        sessions.c.started_at < bindparam("started_at"),
    )
)


def has_earlier_session(
    connection: Connection, site_id: str, mode: str, visitor_id: str, started_at: int
) -> bool:
    """Whether the visitor has a session that started before `started_at`."""
    params = {"site_id": site_id, "mode": mode, "visitor_id": visitor_id, "started_at": started_at}
    return bool(connection.execute(_EARLIER_SESSION, params).scalar())


_RECENT_VIEWERS = select(func.count()).where(
    product_views.c.site_id == bindparam("site_id"),
    product_views.c.mode == bindparam("mode"),
    product_views.c.product_id == bindparam("product_id"),
    product_views.c.viewed_at >= bindparam("since"),
    product_views.c.session_id != bindparam("session_id"),
)


def recent_viewers(
    connection: Connection,
    site_id: str,
    mode: str,
    product_id: str,
    *,
    since_ms: int,
    other_than: str,
) -> int:
    """Sessions other than `other_than` that viewed the product since `since_ms`."""
    params = {
        "site_id": site_id,
        "mode": mode,
        "product_id": product_id,
        "since": since_ms,
        "session_id": other_than,
    }
    return int(connection.execute(_RECENT_VIEWERS, params).scalar_one())


# -- the list of nudges ------------------------------------------------------------------------

LIST_COLUMNS = (
    nudges.c.nudge_id,
    nudges.c.session_id,
    nudges.c.type,
    nudges.c.shown_at,
    nudges.c.outcome,
    nudges.c.influenced_conversion,
)
_VISIBLE = and_(
    sessions.c.site_id == nudges.c.site_id,
    sessions.c.session_id == nudges.c.session_id,
    sessions.c.is_bot == false(),
    sessions.c.started_at >= bindparam("window_ms"),
)
_NEWEST_FIRST = (nudges.c.shown_at.desc(), nudges.c.nudge_id.desc())


def list_page(
    connection: Connection,
    *,
    site_id: str,
    mode: str,
    window_ms: int,
    lower_ms: int,
    upper_ms: int,
    after: tuple[int, str] | None,
    filters: dict[str, str],
    limit: int,
) -> Sequence[ListRow]:
    """Up to `limit` shown nudges newest first, shown in [lower_ms, upper_ms) and before
    `after`, of sessions that started since `window_ms` (the API window) and are not bots'.
    Rows are LIST_COLUMNS in order. One range scan of ix_nudges_list joined to each session."""
    query = (
        select(*LIST_COLUMNS)
        .join(sessions, _VISIBLE)
        .where(
            nudges.c.site_id == bindparam("site_id"),
            nudges.c.mode == bindparam("mode"),
            nudges.c.shown_at >= bindparam("lower_ms"),
        )
        .order_by(*_NEWEST_FIRST)
        .limit(bindparam("limit"))
    )
    params: dict[str, Any] = {
        "site_id": site_id,
        "mode": mode,
        "window_ms": window_ms,
        "lower_ms": lower_ms,
        "limit": limit,
    }
    if after is None:
        query = query.where(nudges.c.shown_at < bindparam("upper_ms"))
        params["upper_ms"] = upper_ms
    else:
        position = tuple_(
            bindparam("after_at", type_=BigInteger()), bindparam("after_id", type_=String())
        )
        query = query.where(tuple_(nudges.c.shown_at, nudges.c.nudge_id) < position)
        params.update(after_at=after[0], after_id=after[1])
    for name, value in sorted(filters.items()):
        query = query.where(nudges.c[name] == bindparam(f"filter_{name}"))
        params[f"filter_{name}"] = value
    return connection.execute(query, params).all()
