"""The period every page is about: whole days in the site's time zone, `from` and `to` as
dates (both included), the last 30 days by default; and `period_page`, the GET of a page
that shows one period's numbers (Overview, Nudges)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from elnudge.dashboard.access import csrf_token, current_user, grant_on
from elnudge.dashboard.templates import render
from elnudge.dashboard.times import default_period, parse_date, period_bounds
from elnudge.db import Database
from elnudge.errors import InvalidRequest
from elnudge.metrics import Period, settle_report
from elnudge.users.service import UserSite
from elnudge.vocabulary import Mode
from elnudge.web.runtime import runtime_of

PARAMS = ("from", "to")


@dataclass(frozen=True, slots=True)
class PagePeriod:
    first: date
    last: date
    from_ms: int  # the start of `first`, local midnight
    to_ms: int  # the local midnight after `last` (exclusive)


# What a period page shows: its template's values for the site's period (connection, the
# user's grant, the period, now in ms).
Numbers = Callable[[Connection, UserSite, PagePeriod, int], dict[str, Any]]


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


def period_page(
    request: Request, site_id: str, template: str, numbers: Numbers, empty: dict[str, Any]
) -> Response:
    """`template` with the `numbers` of the period its `from` and `to` ask for, read in one
    snapshot (after storing the counts of the days it reads: metrics/rollups.py); a bad period
    or an unknown parameter is the page with the message (400), the default period in the
    picker and the `empty` values."""
    runtime = runtime_of(request)
    now_ms = runtime.clock.now_ms()
    given = {name: request.query_params.get(name, "") for name in PARAMS}
    with runtime.database.snapshot() as connection:
        user = current_user(request, connection, runtime)
        grant = grant_on(user, site_id)
        context: dict[str, Any] = {
            "user": user,
            "grant": grant,
            "csrf": csrf_token(request),
            "given": given,
        }
        try:
            reject_unknown(request.query_params, PARAMS)
            period = page_period(given, grant.timezone, now_ms)
        except InvalidRequest as error:
            default = default_period(now_ms, grant.timezone)
            return render(
                request,
                template,
                status=400,
                error=error.message,
                period=default,
                **empty,
                **context,
            )
    store_days(runtime.database, site_id, period, now_ms)
    with runtime.database.snapshot() as connection:
        shown = numbers(connection, grant, period, now_ms)
    return render(request, template, period=(period.first, period.last), **shown, **context)


def store_days(database: Database, site_id: str, period: PagePeriod, now_ms: int) -> None:
    """Store the counts of the days the page reads that are not stored yet (as the report
    does: the period's and the last week's), before the page's snapshot."""
    settle_report(database, Period(site_id, Mode.LIVE, period.from_ms, period.to_ms), now_ms)
