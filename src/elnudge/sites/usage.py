"""Monthly usage: the live, non-bot sessions a site starts each UTC calendar month.

Each such session gets its ordinal in its month when it starts (1 for the first); the nudge
engine compares it with the monthly allowance (`engine/allowance.py`), so a session that
started within the allowance keeps its nudges however the month goes on. The moment 80% and
100% of the allowance are used is recorded once per month, for the site to be told.
Callers hold the site's ingestion lock, so reading and then writing a month's count is safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

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
    given, and the thresholds this crossed (None: unlimited, no thresholds)."""
    ordinals: list[int] = []
    crossings: list[Crossing] = []
    stored: dict[str, dict[str, int | None]] = {}
    counts: dict[str, int] = {}
    for start in starts:
        month = month_of(start)
        if month not in stored:
            stored[month] = month_usage(connection, site_id, month)
            counts[month] = stored[month].get("sessions") or 0
        counts[month] += 1
        ordinals.append(counts[month])
    for month, count in counts.items():
        crossings += _save(connection, site_id, month, stored[month], count, allowance, now_ms)
    return ordinals, crossings


def _save(
    connection: Connection,
    site_id: str,
    month: str,
    row: dict[str, int | None],
    count: int,
    allowance: int | None,
    now_ms: int,
) -> list[Crossing]:
    reached = {percent: row.get(f"reached_{percent}_at") for percent in THRESHOLDS}
    crossings = [
        Crossing(month, percent, now_ms)
        for percent in THRESHOLDS
        if allowance is not None and reached[percent] is None and count * 100 >= allowance * percent
    ]
    values = {"sessions": count, **{f"reached_{c.percent}_at": c.at_ms for c in crossings}}
    where = (site_usage.c.site_id == site_id, site_usage.c.month == month)
    if row:
        connection.execute(update(site_usage).where(*where).values(**values))
    else:
        connection.execute(insert(site_usage).values(site_id=site_id, month=month, **values))
    return crossings


def month_usage(connection: Connection, site_id: str, month: str) -> dict[str, int | None]:
    """The stored usage of one month (empty when no session started in it)."""
    query = select(site_usage).where(site_usage.c.site_id == site_id, site_usage.c.month == month)
    row = connection.execute(query).mappings().first()
    return {} if row is None else {key: row[key] for key in row if key not in ("site_id", "month")}
