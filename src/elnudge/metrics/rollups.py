"""Stored slot counts of whole UTC hours, so a month's report reads a few thousand small rows.

`period_slots` is what every metric reads: the slots of hours stored in `report_hours` come from
the rollup tables, everything else (hours not stored, and the partial slots at the period's
edges) is counted from the rows, in the same snapshot. The numbers are the same either way.

A stored hour is never stale: triggers on sessions, nudges and nudge offers (migrations 0011,
0012) delete its `report_hours` row, and with it its counts, in the transaction of any write
that changes what the hour counts, whoever makes it (ingestion, late events, merges, erasure,
purges, the relay): the hour its session started in. `settle` stores the hours a read needs,
one write transaction per run of up to a day of them, when they ended at least `SETTLED_MS`
ago. So on a busy store a read counts from the rows only the last hour or two and the hours
of sessions still going on. On PostgreSQL hours are counted holding the site's report lock
exclusively, which every trigger takes shared first: stored counts can never miss a write in
flight; if the lock is busy the hours are simply counted from the rows by this read and stored
by a later one.

Influenced purchases are stored as every (purchase, session start) credit; a read adds them up
in SQL per slot and currency, each purchase once, with the earliest session it reads
(`decimal_total`: exact). Only purchases that the part counted from the rows credits too are
read one by one, so that they still count once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from decimal import Decimal
from itertools import groupby, pairwise
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Table,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Connection

from elnudge.db import Database
from elnudge.db.dialect import decimal_total
from elnudge.db.tables import (
    report_hours,
    report_slot_credits,
    report_slot_types,
    report_slots,
)
from elnudge.metrics.period import Period
from elnudge.metrics.revenue import Credit
from elnudge.metrics.slots import SLOT_MS, Slots, SlotSessions, SlotTypes, count_slots
from elnudge.timestamps import HOUR_MS
from elnudge.vocabulary import NudgeType

SETTLED_MS = HOUR_MS  # how long after its end an hour is stored
RUN_HOURS = 24  # the most hours one write transaction counts and stores
SHARED_CREDITS = 1_000  # beyond this many purchases credited on both sides, credits are read
_SESSION_COLUMNS = [report_slots.c[name] for name in SlotSessions._fields]
_TYPE_COLUMNS = [report_slot_types.c[name] for name in SlotTypes._fields]
# The PostgreSQL lock the triggers take shared (migration 0012, `report_forget_hour`).
_TRY_REPORT_LOCK = text(
    "SELECT pg_try_advisory_xact_lock(hashtextextended('elnudge.report:' || :site_id, 0))"
)


def period_slots(
    connection: Connection,
    period: Period,
    *,
    credits: bool = False,
    buckets: Sequence[int] | None = None,
) -> Slots:
    """The period's counts per slot: stored where its hours are stored, counted otherwise; with
    the influenced purchases when `credits` (the Overview's revenue; the report needs none).

    With `buckets` (ascending slots, the first at or before the period's first slot), the
    database adds up the stored slots per bucket (from one bucket's slot up to the next's), and
    they come under the bucket's slot: `TOTAL` for the report's totals, the slots of local
    midnights for the Overview's days. The slots counted from the rows still come one by one."""
    first_slot = -(-period.from_ms // SLOT_MS)  # the first slot wholly inside the period
    end_slot = period.to_ms // SLOT_MS
    if first_slot >= end_slot:
        return count_slots(connection, period, credits=credits)
    first_hour = first_slot * SLOT_MS // HOUR_MS
    last_hour = (end_slot * SLOT_MS - 1) // HOUR_MS
    stored = _stored_hours(connection, period, first_hour, last_hour)
    counted = Slots()
    for from_ms, to_ms in _gaps(period, stored, first_slot, end_slot):
        part = replace(period, from_ms=from_ms, to_ms=to_ms)
        counted.merge(count_slots(connection, part, credits=credits))
    read = _Stored(connection, period, stored, first_slot, end_slot)
    counted.merge(read.counts(buckets))
    if credits:
        counted.merge(read.credits(buckets, shared={event_id for event_id, _ in counted.credits}))
    return counted


def settle(database: Database, period: Period, now_ms: int) -> int:
    """Store the counts of the hours the period touches that ended `SETTLED_MS` before
    `now_ms` and are not stored yet; how many hours it stored. (An hour at the period's edge
    is stored whole: a later period, or another time zone's day, reads the rest of it.)"""
    first_hour = period.from_ms // HOUR_MS
    end_hour = min(-(-period.to_ms // HOUR_MS), (now_ms - SETTLED_MS) // HOUR_MS)
    if period.from_ms >= period.to_ms or first_hour >= end_hour:
        return 0
    with database.read() as connection:
        stored = _stored_hours(connection, period, first_hour, end_hour - 1)
    counted = 0
    for hours in _runs(hour for hour in range(first_hour, end_hour) if hour not in stored):
        with database.write() as connection:
            if not _lock(connection, period.site_id):
                return counted  # a write is in flight: a later read stores the rest
            counted += _store_hours(connection, period, hours, now_ms)
    return counted


def _runs(hours: Iterable[int]) -> Iterator[list[int]]:
    """Consecutive hours (sorted), in runs of at most `RUN_HOURS`."""
    for run in _consecutive(hours):
        for start in range(0, len(run), RUN_HOURS):
            yield run[start : start + RUN_HOURS]


def _lock(connection: Connection, site_id: str) -> bool:
    """Hold the site's report lock exclusively (SQLite: the write transaction already is)."""
    if connection.dialect.name != "postgresql":
        return True
    return bool(connection.execute(_TRY_REPORT_LOCK, {"site_id": site_id}).scalar_one())


def _store_hours(connection: Connection, period: Period, hours: list[int], now_ms: int) -> int:
    """Count the run of `hours` from the rows and store those not stored meanwhile by another
    reader; how many it stored."""
    stored = _stored_hours(connection, period, hours[0], hours[-1])
    missing = [hour for hour in hours if hour not in stored]
    if not missing:
        return 0
    owned = _owned_by(period, missing)
    for table in (report_slot_credits, report_slot_types, report_slots):  # left by lost hours
        connection.execute(delete(table).where(*owned(table)))
    run = replace(period, from_ms=hours[0] * HOUR_MS, to_ms=(hours[-1] + 1) * HOUR_MS)
    counted = count_slots(connection, run)
    keep = set(missing)
    owner: dict[str, object] = {"site_id": period.site_id, "mode": period.mode}
    connection.execute(
        insert(report_hours), [{**owner, "hour": hour, "counted_at": now_ms} for hour in missing]
    )
    _insert(connection, report_slots, _session_rows(owner, counted, keep))
    _insert(connection, report_slot_types, _type_rows(owner, counted, keep))
    _insert(connection, report_slot_credits, _credit_rows(owner, counted, keep))
    return len(missing)


def _insert(connection: Connection, table: Table, rows: list[dict[str, object]]) -> None:
    if rows:
        connection.execute(insert(table), rows)


def _hour_of_slot(slot: int) -> int:
    return slot * SLOT_MS // HOUR_MS


def _session_rows(
    owner: dict[str, object], counted: Slots, hours: set[int]
) -> list[dict[str, object]]:
    return [
        {**owner, "hour": _hour_of_slot(slot), "slot": slot, **counts._asdict()}
        for slot, counts in counted.sessions.items()
        if _hour_of_slot(slot) in hours
    ]


def _type_rows(
    owner: dict[str, object], counted: Slots, hours: set[int]
) -> list[dict[str, object]]:
    return [
        {**owner, "hour": _hour_of_slot(slot), "slot": slot, "type": kind.value} | counts._asdict()
        for (slot, kind), counts in counted.types.items()
        if _hour_of_slot(slot) in hours
    ]


def _credit_rows(
    owner: dict[str, object], counted: Slots, hours: set[int]
) -> list[dict[str, object]]:
    return [
        {
            **owner,
            "hour": credit.started_at // HOUR_MS,
            "event_id": credit.event_id,
            "started_at": credit.started_at,
            "currency": credit.currency,
            "amount": str(credit.amount),
        }
        for credit in counted.credits.values()
        if credit.started_at // HOUR_MS in hours
    ]


def _stored_hours(
    connection: Connection, period: Period, first_hour: int, last_hour: int
) -> set[int]:
    """The stored hours of the period's site and mode from `first_hour` to `last_hour`."""
    query = select(report_hours.c.hour).where(
        report_hours.c.site_id == period.site_id,
        report_hours.c.mode == period.mode,
        report_hours.c.hour.between(first_hour, last_hour),
    )
    return {int(hour) for hour in connection.execute(query).scalars()}


class _Stored:
    """The stored counts of `hours`, of the slots in [first_slot, end_slot)."""

    def __init__(
        self,
        connection: Connection,
        period: Period,
        hours: set[int],
        first_slot: int,
        end_slot: int,
    ) -> None:
        self.connection = connection
        self.owned = _owned_by(period, sorted(hours))
        self.hours = hours
        self.first_slot, self.end_slot = first_slot, end_slot

    def counts(self, buckets: Sequence[int] | None) -> Slots:
        """The sessions' and types' counts per slot, or per bucket."""
        counted = Slots()
        if not self.hours:
            return counted
        slots, kinds = report_slots.c, report_slot_types.c
        query = _per_bucket(
            select(*_SESSION_COLUMNS).where(*self.owned(report_slots), *self._in_range(slots.slot)),
            slots.slot,
            buckets,
        )
        for slot, *numbers in self.connection.execute(query).all():
            counted.sessions[slot] = SlotSessions(*map(int, numbers))
        query = _per_bucket(
            select(*_TYPE_COLUMNS).where(
                *self.owned(report_slot_types), *self._in_range(kinds.slot)
            ),
            kinds.slot,
            buckets,
            kinds.type,
        )
        for slot, kind, *numbers in self.connection.execute(query).all():
            if kind in _KNOWN_TYPES:  # a type this version does not know is no report row
                counted.types[slot, _KNOWN_TYPES[kind]] = SlotTypes(*map(int, numbers))
        return counted

    def credits(self, buckets: Sequence[int] | None, *, shared: set[str]) -> Slots:
        """The influenced purchases: added up per slot (or bucket) and currency in SQL, each
        purchase once, with its earliest credit read; those in `shared` (purchases the part
        counted from the rows credits too) one by one, so that the two parts together still
        count them once."""
        counted = Slots()
        if not self.hours:
            return counted
        stored = report_slot_credits.c
        where = [
            *self.owned(report_slot_credits),
            stored.started_at >= self.first_slot * SLOT_MS,
            stored.started_at < self.end_slot * SLOT_MS,
        ]
        # A read whose part counted from the rows is large (no hour stored yet) reads every
        # stored credit one by one rather than send two long lists of ids.
        summing = len(shared) <= SHARED_CREDITS
        alone = select(stored.event_id, stored.started_at, stored.currency, stored.amount).where(
            *where, *([stored.event_id.in_(sorted(shared))] if summing else [])
        )
        for event_id, started_at, currency, amount in self.connection.execute(alone).all():
            counted.credit(Credit(int(started_at), event_id, currency, Decimal(amount)))
        if not summing:
            return counted
        first = (
            select(
                func.min(stored.started_at).label("started_at"),
                func.min(stored.currency).label("currency"),
                func.min(stored.amount).label("amount"),
            )
            .where(*where, stored.event_id.not_in(sorted(shared)))
            .group_by(stored.event_id)
            .subquery()
        )
        slot = first.c.started_at // SLOT_MS
        at = slot if buckets is None else _bucket_of(slot, buckets)
        summed = select(
            at.label("at"), first.c.currency, decimal_total(first.c.amount).label("amount")
        ).group_by("at", first.c.currency)
        for at, currency, amount in self.connection.execute(summed).all():
            counted.revenue[int(at), currency] = Decimal(amount)
        return counted

    def _in_range(self, slot: ColumnElement[int]) -> list[ColumnElement[bool]]:
        return [slot >= self.first_slot, slot < self.end_slot]


_KNOWN_TYPES = {kind.value: kind for kind in NudgeType}


TOTAL = (0,)  # one bucket: the period's totals (under slot 0)


def _per_bucket(
    query: Select[Any], slot: ColumnElement[int], buckets: Sequence[int] | None, *keys: Any
) -> Select[Any]:
    """`query`'s counts with their slot (and `keys`) first: per stored slot, or added up per
    bucket and key."""
    columns = list(query.selected_columns)
    if buckets is None:
        return query.with_only_columns(slot, *keys, *columns)
    grouped = query.with_only_columns(
        _bucket_of(slot, buckets).label("bucket"),
        *keys,
        *(func.sum(column).label(column.key) for column in columns),
    )
    return grouped.group_by("bucket", *keys)


def _bucket_of(slot: ColumnElement[int], buckets: Sequence[int]) -> ColumnElement[int]:
    """The slot of the bucket `slot` falls in: the last one at or before it."""
    if len(buckets) == 1:
        return literal(buckets[0], BigInteger)
    return case(
        *((slot < end, literal(start, BigInteger)) for start, end in pairwise(buckets)),
        else_=literal(buckets[-1], BigInteger),
    )


def _owned_by(period: Period, hours: Iterable[int]) -> Callable[[Table], list[ColumnElement[bool]]]:
    """The conditions selecting a rollup table's rows of the period's site and mode in `hours`
    (sorted), as ranges of consecutive hours (a month stored is one or a few)."""
    ranges = [(run[0], run[-1]) for run in _consecutive(hours)]

    def conditions(table: Table) -> list[ColumnElement[bool]]:
        return [
            table.c.site_id == period.site_id,
            table.c.mode == period.mode,
            or_(*(table.c.hour.between(first, last) for first, last in ranges)),
        ]

    return conditions


def _consecutive(hours: Iterable[int]) -> Iterator[list[int]]:
    """Sorted hours in runs of consecutive ones."""
    for _, run in groupby(enumerate(hours), key=lambda pair: pair[1] - pair[0]):
        yield [hour for _, hour in run]


def _gaps(
    period: Period, stored: set[int], first_slot: int, end_slot: int
) -> Iterator[tuple[int, int]]:
    """The parts of the period not read from stored hours: the partial slots at its edges and
    the hours not stored, as few ranges as possible."""
    whole_from, whole_to = first_slot * SLOT_MS, end_slot * SLOT_MS
    ranges = [(period.from_ms, whole_from)]
    first_hour, last_hour = whole_from // HOUR_MS, (whole_to - 1) // HOUR_MS
    for is_stored, run in groupby(range(first_hour, last_hour + 1), key=stored.__contains__):
        if not is_stored:
            hours = list(run)
            ranges.append(
                (max(hours[0] * HOUR_MS, whole_from), min((hours[-1] + 1) * HOUR_MS, whole_to))
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
