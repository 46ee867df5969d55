"""The period every page is about: whole days in the site's time zone, `from` and `to` as
dates (both included), the last 30 days by default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from elnudge.dashboard.times import default_period, parse_date, period_bounds
from elnudge.errors import InvalidRequest


@dataclass(frozen=True, slots=True)
class PagePeriod:
    first: date
    last: date
    from_ms: int  # the start of `first`, local midnight
    to_ms: int  # the local midnight after `last` (exclusive)


def page_period(given: Mapping[str, str], timezone: str, now_ms: int) -> PagePeriod:
    """The period of a page's `from` and `to` (empty: the default); a 400 naming a bad one."""
    first, last = default_period(now_ms, timezone)
    first = parse_date(given["from"], "from") if given.get("from") else first
    last = parse_date(given["to"], "to") if given.get("to") else last
    if first > last:
        raise InvalidRequest("The period's first day is after its last.", param="from")
    return PagePeriod(first, last, *period_bounds(first, last, timezone))


def reject_unknown(params: Mapping[str, str], known: tuple[str, ...]) -> None:
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise InvalidRequest(f"Unknown filter {unknown[0]!r}.", param=unknown[0])
