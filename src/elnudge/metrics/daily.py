"""The dashboard Overview's numbers per day, in the site's time zone.

The period's counts come per 15-minute slot of session start (`metrics/slots.py`; every time
zone in use today is offset from UTC by whole quarter hours), and Python folds the slots into
local calendar days. So the same counts serve any time zone, and a day that is 23 or 25 hours
long around a clock change is simply the slots that fall on that date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from elnudge.metrics.period import Period
from elnudge.metrics.rollups import period_slots
from elnudge.metrics.slots import SLOT_MS
from elnudge.reports.experiment import rounded
from elnudge.timestamps import SECOND_MS


@dataclass
class Day:
    """One local calendar day of the Overview. Sessions count by when they started; nudges,
    conversions and revenue count with their session (as in the nudge report)."""

    day: date
    sessions: int = 0
    conversions: int = 0
    intent_total: int = 0  # sum of the sessions' intent scores, for the average
    nudges_shown: int = 0
    influenced_conversions: int = 0  # nudges that influenced a conversion (the report's count)
    influenced_revenue: dict[str, Decimal] = field(default_factory=dict)  # per currency

    @property
    def conversion_rate(self) -> float:
        """Conversions per session, to 4 places, 0 on a day without sessions (as the report)."""
        return rounded(self.conversions / self.sessions) if self.sessions else 0.0

    @property
    def average_intent(self) -> float | None:
        """The sessions' mean intent score to 1 place; None on a day without sessions."""
        return round(self.intent_total / self.sessions, 1) if self.sessions else None


def daily_series(connection: Connection, period: Period, zone: ZoneInfo) -> list[Day]:
    """Every local day the period touches, in order, each with its numbers (zeros included)."""
    days = {day: Day(day) for day in _days_of(period, zone)}
    # The database adds up the stored slots per local day (from each day's first slot).
    buckets = _first_slots(list(days), zone, first=-(-period.from_ms // SLOT_MS))
    slots = period_slots(connection, period, credits=True, buckets=buckets)
    local: dict[int, date] = {}  # slot -> its local day, each worked out once

    def _local_day(slot: int) -> date:
        found = local.get(slot)
        if found is None:
            found = local[slot] = _slot_day(slot, zone)
        return found

    for slot, counts in slots.sessions.items():
        day = _day(days, _local_day(slot))
        day.sessions += counts.sessions
        day.conversions += counts.conversions
        day.intent_total += counts.intent_total
    for (slot, _), kind in slots.types.items():
        day = _day(days, _local_day(slot))
        day.nudges_shown += kind.shown
        day.influenced_conversions += kind.influenced_conversions
    for (slot, currency), amount in slots.revenue_per_slot().items():
        revenue = _day(days, _local_day(slot)).influenced_revenue
        revenue[currency] = revenue.get(currency, Decimal(0)) + amount
    return [days[day] for day in sorted(days)]


def _day(days: dict[date, Day], day: date) -> Day:
    # Only a zone offset by a fraction of a quarter hour could put a slot on a day the period
    # does not touch; count it rather than lose it.
    return days.setdefault(day, Day(day))


def _slot_day(slot: int, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(int(slot) * SLOT_MS // SECOND_MS, zone).date()


def _first_slots(days: list[date], zone: ZoneInfo, *, first: int) -> list[int]:
    """Each day's first slot (the first that starts on it in `zone`), none before `first`:
    local midnight's, adjusted where midnight is not a slot's start or does not exist."""
    found = []
    for day in days:
        slot = max(
            first, int(datetime.combine(day, time(), zone).timestamp()) * SECOND_MS // SLOT_MS
        )
        while _slot_day(slot, zone) < day:
            slot += 1
        while slot > first and _slot_day(slot - 1, zone) >= day:
            slot -= 1
        found.append(slot)
    return found


def _days_of(period: Period, zone: ZoneInfo) -> Iterable[date]:
    if period.to_ms <= period.from_ms:
        return []
    first = datetime.fromtimestamp(period.from_ms / SECOND_MS, zone).date()
    last = datetime.fromtimestamp((period.to_ms - 1) / SECOND_MS, zone).date()
    return [first + timedelta(days) for days in range((last - first).days + 1)]


def totals(days: Iterable[Day]) -> Day:
    """The days added up (its `day` is the first one's): the period's headline numbers."""
    listed = list(days)
    total = Day(listed[0].day if listed else date.min)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for day in listed:
        total.sessions += day.sessions
        total.conversions += day.conversions
        total.intent_total += day.intent_total
        total.nudges_shown += day.nudges_shown
        total.influenced_conversions += day.influenced_conversions
        for currency, amount in day.influenced_revenue.items():
            revenue[currency] += amount
    total.influenced_revenue = dict(revenue)
    return total
