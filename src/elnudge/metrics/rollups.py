"""Stored slot counts of whole UTC days, so a month's report reads a few thousand small rows.

`period_slots` is what every metric reads: the slots of days stored in `report_days` come from
the rollup tables, everything else (days not stored, and the partial slots at the period's
edges) is counted from the rows, in the same snapshot. The numbers are the same either way.

A stored day is never stale: triggers on sessions, nudges and nudge offers (migration 0011)
delete its `report_days` row, and with it its counts, in the transaction of any write that
changes what the day counts, whoever makes it (ingestion, late events, merges, erasure, purges,
the relay). `settle` stores the days a read needs, one write transaction per day, when they
ended at least `SETTLED_MS` ago (a day's last sessions have ended by then, so it is rarely
counted twice). On PostgreSQL a day is counted holding the site's report lock exclusively, which
every trigger takes shared first: a day's counts can never miss a write in flight; if the lock
is busy the day is simply counted from the rows by this read and stored by a later one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from itertools import groupby

from sqlalchemy import BigInteger, ColumnElement, Table, delete, func, insert, literal, select, text
from sqlalchemy.engine import Connection

from elnudge.db import Database
from elnudge.db.tables import (
    report_days,
    report_slot_credits,
    report_slot_types,
    report_slots,
)
from elnudge.metrics.period import Period
from elnudge.metrics.revenue import Credit
from elnudge.metrics.slots import SLOT_MS, Slots, SlotSessions, SlotTypes, count_slots
from elnudge.timestamps import DAY_MS, HOUR_MS
from elnudge.vocabulary import NudgeType

SETTLED_MS = HOUR_MS  # how long after its end a day is stored
_SESSION_COLUMNS = [report_slots.c[name] for name in SlotSessions._fields]
_TYPE_COLUMNS = [report_slot_types.c[name] for name in SlotTypes._fields]
# The PostgreSQL lock the triggers take shared (migration 0011, `report_forget_day`).
_TRY_REPORT_LOCK = text(
    "SELECT pg_try_advisory_xact_lock(hashtextextended('elnudge.report:' || :site_id, 0))"
)


def period_slots(
    connection: Connection, period: Period, *, credits: bool = False, per_slot: bool = True
) -> Slots:
    """The period's counts per slot: stored where its days are stored, counted otherwise; with
    the influenced purchases when `credits` (the Overview's revenue; the report needs none).
    For totals only (`per_slot=False`), the database adds up the stored slots, which then come
    as one, under the first of them."""
    first_slot = -(-period.from_ms // SLOT_MS)  # the first slot wholly inside the period
    end_slot = period.to_ms // SLOT_MS
    if first_slot >= end_slot:
        return count_slots(connection, period, credits=credits)
    first_day, last_day = first_slot * SLOT_MS // DAY_MS, (end_slot * SLOT_MS - 1) // DAY_MS
    stored = _stored_days(connection, period, first_day, last_day)
    counted = _read_stored(
        connection, period, stored, first_slot, end_slot, credits=credits, per_slot=per_slot
    )
    for from_ms, to_ms in _gaps(period, stored, first_slot, end_slot):
        part = replace(period, from_ms=from_ms, to_ms=to_ms)
        counted.merge(count_slots(connection, part, credits=credits))
    return counted


def settle(database: Database, period: Period, now_ms: int) -> int:
    """Store the counts of the days the period touches that ended `SETTLED_MS` before `now_ms`
    and are not stored yet; how many days it stored. (A day at the period's edge is stored
    whole: a later period, or another time zone's day, reads the rest of it.)"""
    first_day = period.from_ms // DAY_MS
    end_day = min(-(-period.to_ms // DAY_MS), (now_ms - SETTLED_MS) // DAY_MS)
    if period.from_ms >= period.to_ms or first_day >= end_day:
        return 0
    with database.read() as connection:
        stored = _stored_days(connection, period, first_day, end_day - 1)
    counted = 0
    for day in range(first_day, end_day):
        if day not in stored:
            with database.write() as connection:
                if not _lock(connection, period.site_id):
                    return counted  # a write is in flight: a later read stores the rest
                if _store_day(connection, period, day, now_ms):
                    counted += 1
    return counted


def _lock(connection: Connection, site_id: str) -> bool:
    """Hold the site's report lock exclusively (SQLite: the write transaction already is)."""
    if connection.dialect.name != "postgresql":
        return True
    return bool(connection.execute(_TRY_REPORT_LOCK, {"site_id": site_id}).scalar_one())


def _store_day(connection: Connection, period: Period, day: int, now_ms: int) -> bool:
    """Count `day` from the rows and store it; False if another reader stored it meanwhile."""
    key = _day_key(period, day)
    if connection.execute(select(report_days.c.day).where(*key)).first() is not None:
        return False
    for table in (report_slot_credits, report_slot_types, report_slots):  # left by a lost day
        connection.execute(delete(table).where(*_day_key(period, day, table)))
    day_period = replace(period, from_ms=day * DAY_MS, to_ms=(day + 1) * DAY_MS)
    counted = count_slots(connection, day_period)
    owner = {"site_id": period.site_id, "mode": period.mode, "day": day}
    connection.execute(insert(report_days), {**owner, "counted_at": now_ms})
    _insert(connection, report_slots, _session_rows(owner, counted))
    _insert(connection, report_slot_types, _type_rows(owner, counted))
    _insert(connection, report_slot_credits, _credit_rows(owner, counted))
    return True


def _insert(connection: Connection, table: Table, rows: list[dict[str, object]]) -> None:
    if rows:
        connection.execute(insert(table), rows)


def _session_rows(owner: dict[str, object], counted: Slots) -> list[dict[str, object]]:
    return [
        {**owner, "slot": slot, **counts._asdict()} for slot, counts in counted.sessions.items()
    ]


def _type_rows(owner: dict[str, object], counted: Slots) -> list[dict[str, object]]:
    return [
        {**owner, "slot": slot, "type": kind.value, **counts._asdict()}
        for (slot, kind), counts in counted.types.items()
    ]


def _credit_rows(owner: dict[str, object], counted: Slots) -> list[dict[str, object]]:
    return [
        {
            **owner,
            "event_id": credit.event_id,
            "started_at": credit.started_at,
            "currency": credit.currency,
            "amount": str(credit.amount),
        }
        for credit in counted.credits.values()
    ]


def _day_key(period: Period, day: int, table: Table = report_days) -> list[ColumnElement[bool]]:
    return _owned_by(period, {day})(table)


def _stored_days(connection: Connection, period: Period, first_day: int, last_day: int) -> set[int]:
    """The stored days of the period's site and mode from `first_day` to `last_day`."""
    query = select(report_days.c.day).where(
        report_days.c.site_id == period.site_id,
        report_days.c.mode == period.mode,
        report_days.c.day.between(first_day, last_day),
    )
    return {int(day) for day in connection.execute(query).scalars()}


def _read_stored(
    connection: Connection,
    period: Period,
    days: set[int],
    first_slot: int,
    end_slot: int,
    *,
    credits: bool,
    per_slot: bool,
) -> Slots:
    """The stored counts of `days`, of the slots in [first_slot, end_slot) (all as one, under
    `first_slot`, unless `per_slot`)."""
    counted = Slots()
    if not days:
        return counted
    owned = _owned_by(period, days)
    slots, kinds = report_slots.c, report_slot_types.c
    slot_of = slots.slot if per_slot else literal(first_slot, BigInteger)
    query = select(slot_of, *(_summed(column, per_slot) for column in _SESSION_COLUMNS)).where(
        *owned(report_slots), slots.slot >= first_slot, slots.slot < end_slot
    )
    for slot, *numbers in connection.execute(query).all():
        if numbers[0] is not None:  # no stored slot in the range: no sums
            counted.sessions[slot] = SlotSessions(*map(int, numbers))
    slot_of = kinds.slot if per_slot else literal(first_slot, BigInteger)
    query = (
        select(slot_of, kinds.type, *(_summed(column, per_slot) for column in _TYPE_COLUMNS))
        .where(*owned(report_slot_types), kinds.slot >= first_slot, kinds.slot < end_slot)
        .group_by(*([] if per_slot else [kinds.type]))
    )
    for slot, kind, *numbers in connection.execute(query).all():
        if kind in _KNOWN_TYPES:  # a type this version does not know is no report row
            counted.types[slot, _KNOWN_TYPES[kind]] = SlotTypes(*map(int, numbers))
    if not credits:
        return counted
    stored = report_slot_credits.c
    query = select(stored.event_id, stored.started_at, stored.currency, stored.amount).where(
        *owned(report_slot_credits),
        stored.started_at >= first_slot * SLOT_MS,
        stored.started_at < end_slot * SLOT_MS,
    )
    for event_id, started_at, currency, amount in connection.execute(query).all():
        counted.credit(Credit(int(started_at), event_id, currency, Decimal(amount)))
    return counted


_KNOWN_TYPES = {kind.value: kind for kind in NudgeType}


def _summed(column: ColumnElement[int], per_slot: bool) -> ColumnElement[int]:
    """A slot's stored count (one row per slot), or the sum over the slots."""
    return column if per_slot else func.sum(column)


def _owned_by(period: Period, days: set[int]) -> Callable[[Table], list[ColumnElement[bool]]]:
    """The conditions selecting a rollup table's rows of the period's site and mode on `days`."""

    def conditions(table: Table) -> list[ColumnElement[bool]]:
        return [
            table.c.site_id == period.site_id,
            table.c.mode == period.mode,
            table.c.day.in_(sorted(days)),
        ]

    return conditions


def _gaps(
    period: Period, stored: set[int], first_slot: int, end_slot: int
) -> Iterator[tuple[int, int]]:
    """The parts of the period not read from stored days: the partial slots at its edges and
    the days not stored, as few ranges as possible."""
    whole_from, whole_to = first_slot * SLOT_MS, end_slot * SLOT_MS
    ranges = [(period.from_ms, whole_from)]
    first_day, last_day = whole_from // DAY_MS, (whole_to - 1) // DAY_MS
    for is_stored, run in groupby(range(first_day, last_day + 1), key=stored.__contains__):
        if not is_stored:
            days = list(run)
            ranges.append(
                (max(days[0] * DAY_MS, whole_from), min((days[-1] + 1) * DAY_MS, whole_to))
            )
    ranges.append((whole_to, period.to_ms))
    yield from _joined(ranges)


def _joined(ranges: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Non-empty ranges, adjacent ones joined (in order)."""
    current: tuple[int, int] | None = None
    for start, end in ranges:
        if start >= end:
            continue
        if current is not None and current[1] == start:
            current = (current[0], end)
            continue
        if current is not None:
            yield current
        current = (start, end)
    if current is not None:
        yield current
