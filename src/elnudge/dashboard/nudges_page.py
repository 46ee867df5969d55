"""Nudges: per type the funnel shown → clicked → chat opened → purchase with its rates, the
baseline conversion rate, and the holdout experiment's lift with its interval in one plain
sentence. The numbers are `GET /v1/reports/nudges`'s, computed by the same function."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from elnudge.dashboard.period import PagePeriod, period_page
from elnudge.dashboard.principal import site_principal
from elnudge.reports.experiment import ExperimentReport
from elnudge.reports.schemas import NudgeReportQuery
from elnudge.reports.service import report
from elnudge.timestamps import format_timestamp_ms
from elnudge.users.service import UserSite

router = APIRouter()


@router.get("/sites/{site_id}/nudges")
def nudges_page(request: Request, site_id: str) -> Response:
    return period_page(request, site_id, "nudges.html", nudges_numbers, {"data": None})


def nudges_numbers(
    connection: Connection, grant: UserSite, period: PagePeriod, now_ms: int
) -> dict[str, Any]:
    """The report of `GET /v1/reports/nudges` for the period, and its verdict in a sentence."""
    query = NudgeReportQuery.model_validate(
        {"from": format_timestamp_ms(period.from_ms), "to": format_timestamp_ms(period.to_ms)}
    )
    data = report(connection, site_principal(connection, grant.site_id), query, now_ms)
    return {"data": data, "verdict": lift_sentence(data["experiment"])}


def percent(value: float) -> str:
    return f"{abs(value) * 100:.1f}%"


def lift_sentence(experiment: ExperimentReport) -> str:
    """The holdout experiment in one plain sentence a store owner can act on."""
    lift, interval = experiment["relative_lift"], experiment["ci95"]
    if lift is None or interval is None:
        return (
            "Not enough data yet to measure the lift: both the visitors who can see nudges and "
            "the held-out visitors need sessions and purchases."
        )
    direction = "more" if lift >= 0 else "less"
    low, high = interval
    sentence = (
        f"Visitors who could see nudges bought {percent(lift)} {direction} often than "
        f"held-out visitors (95% interval: {_signed(low)} to {_signed(high)})"
    )
    if low <= 0 <= high:
        return sentence + ", so the difference could still be chance."
    return sentence + ("; nudges are paying off." if lift > 0 else "; nudges are costing sales.")


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}{percent(value)}"
