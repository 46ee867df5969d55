"""Overview: the period's sessions, conversion rate, average intent, nudges shown, influenced
conversions and revenue, in total and per local day, and this month's allowance used. Every
number comes from the metrics layer that `GET /v1/reports/nudges` uses."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from elnudge.dashboard.charts import daily_bars
from elnudge.dashboard.period import PagePeriod, period_page
from elnudge.dashboard.principal import site_principal
from elnudge.metrics import Day, Period, allowance_use, daily_series, totals
from elnudge.pagination import api_window_start
from elnudge.sites.engine import site_engine
from elnudge.users.service import UserSite

router = APIRouter()


@router.get("/sites/{site_id}/overview")
def overview_page(request: Request, site_id: str) -> Response:
    return period_page(request, site_id, "overview.html", overview_numbers, {"days": None})


def overview_numbers(
    connection: Connection, grant: UserSite, period: PagePeriod, now_ms: int
) -> dict[str, Any]:
    """The page's numbers: per day, the totals, the charts and the allowance."""
    principal = site_principal(connection, grant.site_id)
    counted = Period(principal.site_id, principal.mode, period.from_ms, period.to_ms).within(
        api_window_start(principal, now_ms)
    )
    days = daily_series(connection, counted, ZoneInfo(grant.timezone))
    engine = site_engine(principal.engine_settings, principal.plan)
    return {
        "days": days,
        "total": totals(days),
        "charts": _charts(days),
        "allowance": allowance_use(connection, grant.site_id, engine.allowance, now_ms),
    }


def _charts(days: list[Day]) -> list[Any]:
    def series(value: Any) -> list[tuple[str, float]]:
        return [(day.day.isoformat(), value(day)) for day in days]

    return [
        daily_bars(series(lambda d: d.sessions), "Sessions per day"),
        daily_bars(series(lambda d: d.conversion_rate * 100), "Conversion rate per day", "%"),
        daily_bars(series(lambda d: d.nudges_shown), "Nudges shown per day"),
        daily_bars(series(lambda d: d.influenced_conversions), "Influenced conversions per day"),
    ]
