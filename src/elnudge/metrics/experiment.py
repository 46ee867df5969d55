"""The holdout experiment's counts (GET /v1/reports/nudges, `experiment`).

The experiment's sessions are those for which the engine decided a **proactive** nudge (every
type but the sticky bar, which the holdout does not withhold): the decision is the point where
the two arms part. A session whose proactive offers were all held out is in the **holdout**; a
session with at least one offer sent to the widget is in the **treatment**, whether or not the
widget then drew it (intent to treat: the holdout cannot fail to draw, so counting only drawn
nudges would compare unlike groups). A session keeps the arm of its first offer
(`nudges/decisions.py`); should its offers ever disagree, one sent to the widget puts it in the
treatment. The arms are counted per slot with every other number (`metrics/slots.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Connection

from elnudge.metrics.period import Period
from elnudge.metrics.rollups import TOTAL, period_slots
from elnudge.reports import Arm
from elnudge.timestamps import DAY_MS, SECOND_MS

RECENT_DAYS = 7  # `recent_daily_sessions`: the last whole week, so weekdays even out


def experiment_arms(connection: Connection, period: Period) -> tuple[Arm, Arm]:
    """(treatment, holdout) over the period's sessions."""
    total = period_slots(connection, period, buckets=TOTAL).total()
    return total.treatment_arm, total.holdout_arm


def recent_daily_sessions(connection: Connection, site_id: str, mode: str, now_ms: int) -> float:
    """The experiment's sessions (both arms) per day over the last 7 whole UTC days."""
    treatment, holdout = experiment_arms(connection, recent_week(site_id, mode, now_ms))
    return (treatment.sessions + holdout.sessions) / RECENT_DAYS


def recent_week(site_id: str, mode: str, now_ms: int) -> Period:
    """The last 7 whole UTC days before `now_ms`."""
    today = _utc_midnight(now_ms)
    return Period(site_id, mode, today - RECENT_DAYS * DAY_MS, today)


def _utc_midnight(ms: int) -> int:
    day = datetime.fromtimestamp(ms // SECOND_MS, UTC).date()
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * SECOND_MS
