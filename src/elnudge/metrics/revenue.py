"""Influenced revenue: the purchases that nudges influenced, and what they were worth.

A nudge influenced a conversion when a purchase followed within 30 minutes of its last
interaction, in its session or in a later session of the same visitor (`attribution.py`); the
purchase it is credited with is the first such one. A purchase that several nudges led to is
counted once, with the earliest-starting session whose nudge it credits (`Slots.first_credits`:
this module lists every nudge's credit). Amounts are summed per
currency, exactly (`Decimal`): a store selling in two currencies sees two sums, never a mix.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Connection

from elnudge.attribution import INFLUENCE_WINDOW_MS
from elnudge.db.tables import events, nudges, sessions
from elnudge.metrics.period import NUDGES_OF_SESSIONS, Period, nudge_filter
from elnudge.vocabulary import EventType

_CHUNK = 500  # ids per IN (...) list: far below every backend's limit on parameters


@dataclass(frozen=True, slots=True)
class Credit:
    """One influenced purchase (`event_id`), credited to a nudge of a session that started at
    `started_at`."""

    started_at: int
    event_id: str
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class _Purchase:
    event_id: str
    occurred_at: int
    currency: str
    amount: Decimal


def influenced_purchases(connection: Connection, period: Period) -> list[Credit]:
    """The purchase each influenced nudge of the period's sessions led to."""
    rows = connection.execute(
        select(
            sessions.c.started_at,
            nudges.c.session_id,
            nudges.c.visitor_id,
            nudges.c.last_interaction_at,
        )
        .select_from(sessions.join(nudges, NUDGES_OF_SESSIONS))
        .where(nudge_filter(period), nudges.c.influenced_conversion.is_(True))
    ).all()
    if not rows:
        return []
    visitors = sorted({row.visitor_id for row in rows if row.visitor_id is not None})
    owner = _visitor_sessions(connection, period, visitors)
    own_sessions = {row.session_id for row in rows}
    purchases = _purchases(connection, period.site_id, sorted(own_sessions | set(owner)))
    by_session: dict[str, list[_Purchase]] = defaultdict(list)
    by_visitor: dict[str, list[_Purchase]] = defaultdict(list)
    for session_id, purchase in purchases:
        by_session[session_id].append(purchase)
        if session_id in owner:
            by_visitor[owner[session_id]].append(purchase)
    for listed in (*by_session.values(), *by_visitor.values()):
        listed.sort(key=lambda purchase: (purchase.occurred_at, purchase.event_id))
    credits: list[Credit] = []
    for row in rows:
        candidates = by_visitor[row.visitor_id] if row.visitor_id else by_session[row.session_id]
        first = _first_within(candidates, row.last_interaction_at)
        if first is not None:
            credits.append(Credit(row.started_at, first.event_id, first.currency, first.amount))
    return credits


def _first_within(purchases: list[_Purchase], after: int) -> _Purchase | None:
    """The first of `purchases` (sorted by time) within 30 minutes after `after`; None only if
    the purchase was deleted since the flag was set (an erasure of the visitor's sessions)."""
    times = [purchase.occurred_at for purchase in purchases]
    first = bisect.bisect_left(times, after)
    if first < len(purchases) and purchases[first].occurred_at <= after + INFLUENCE_WINDOW_MS:
        return purchases[first]
    return None


def _visitor_sessions(
    connection: Connection, period: Period, visitors: list[str]
) -> dict[str, str]:
    """session id -> visitor id, for every session of these visitors (bots' too, as ingestion
    credits them)."""
    owner: dict[str, str] = {}
    for chunk in _chunks(visitors):
        query = select(sessions.c.session_id, sessions.c.visitor_id).where(
            sessions.c.site_id == period.site_id,
            sessions.c.mode == period.mode,
            sessions.c.visitor_id.in_(chunk),
        )
        owner.update((row[0], row[1]) for row in connection.execute(query).all())
    return owner


def _purchases(
    connection: Connection, site_id: str, session_ids: list[str]
) -> Iterable[tuple[str, _Purchase]]:
    for chunk in _chunks(session_ids):
        query = select(
            events.c.session_id, events.c.event_id, events.c.occurred_at, events.c.data
        ).where(
            events.c.site_id == site_id,
            events.c.session_id.in_(chunk),
            events.c.type == EventType.PURCHASE.value,
        )
        for session_id, event_id, occurred_at, data in connection.execute(query).all():
            currency, amount = _money(orjson.loads(data))
            yield session_id, _Purchase(event_id, occurred_at, currency, amount)


def _money(data: Any) -> tuple[str, Decimal]:
    """The purchase's currency and value (validation requires both: a number and an ISO 4217
    code); the value exactly as sent, not as a binary float."""
    return str(data["currency"]).upper(), Decimal(str(data["value"]))


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])
