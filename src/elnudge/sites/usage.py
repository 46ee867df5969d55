"""Monthly usage: the live, non-bot sessions a site starts each UTC calendar month.

Each such session gets its ordinal in its month when it starts (1 for the first); the nudge
engine compares it with the monthly allowance (`engine/allowance.py`), so a session that
started within the allowance keeps its nudges however the month goes on. The moment 80% and
100% of the allowance are used is recorded once per month, for the site to be told.
Callers hold the site's ingestion lock, so reading and then writing a month's count is safe.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from elnudge.db import dialect
from elnudge.db.tables import site_usage
from elnudge.timestamps import SECOND_MS

THRESHOLDS = (80, 100)  # percent of the allowance at which the site is told


@dataclass(frozen=True, slots=True)
class Crossing:
    """The allowance of `month` reached `percent` percent, at `at_ms`."""

    month: str
    percent: int
    at_ms: int


def month_of(ms: int) -> str:
    """The UTC calendar month of an instant: `2026-12`."""
    return datetime.fromtimestamp(ms // SECOND_MS, UTC).strftime("%Y-%m")


def number_sessions(
    connection: Connection,
    site_id: str,
    starts: Sequence[int],
    *,
    allowance: int | None,
    now_ms: int,
) -> tuple[list[int], list[Crossing]]:
    """Count new sessions that started at `starts` (epoch ms): their ordinals, in the order
    given, and the thresholds this crossed (None: unlimited, no thresholds).

    One statement per month (a batch rarely spans two): the count is added and the row read
    back by the same upsert; a threshold crossed costs one more."""
    added = Counter(month_of(start) for start in starts)
    before: dict[str, int] = {}
    crossings: list[Crossing] = []
    for month, count in added.items():
        row = dialect.upsert_add(
            connection,
            site_usage,
            {"site_id": site_id, "month": month, "sessions": count},
            keys=("site_id", "month"),
            add="sessions",
        )
        before[month] = row["sessions"] - count
        crossings += _cross(connection, site_id, month, row, allowance, now_ms)
    ordinals = []
    for start in starts:
        month = month_of(start)
        before[month] += 1
        ordinals.append(before[month])
    return ordinals, crossings


def _cross(
    connection: Connection,
    site_id: str,
    month: str,
    row: Mapping[str, Any],
    allowance: int | None,
    now_ms: int,
) -> list[Crossing]:
    """The thresholds the month's count (`row`, as now stored) reached for the first time,
    recorded."""
    if allowance is None:
        return []
    crossings = [
        Crossing(month, percent, now_ms)
        for percent in THRESHOLDS
        if row[f"reached_{percent}_at"] is None and row["sessions"] * 100 >= allowance * percent
    ]
    if crossings:
        connection.execute(
            update(site_usage)
            .where(site_usage.c.site_id == site_id, site_usage.c.month == month)
            .values({f"reached_{c.percent}_at": c.at_ms for c in crossings})
        )
    return crossings


def month_usage(connection: Connection, site_id: str, month: str) -> dict[str, int | None]:
    """The stored usage of one month (empty when no session started in it)."""
    query = select(site_usage).where(site_usage.c.site_id == site_id, site_usage.c.month == month)
    row = connection.execute(query).mappings().first()
    return {} if row is None else {key: row[key] for key in row if key not in ("site_id", "month")}
