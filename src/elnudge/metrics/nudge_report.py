"""Everything `GET /v1/reports/nudges` counts, in one call: the endpoint and the dashboard's
Nudges page both read it, so the two can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from elnudge.db import Database
from elnudge.metrics.experiment import recent_daily_sessions, recent_week
from elnudge.metrics.period import Period
from elnudge.metrics.rollups import TOTAL, period_slots, settle
from elnudge.reports import Arm, ExperimentCounts, TypeCounts
from elnudge.vocabulary import NudgeType


@dataclass(frozen=True, slots=True)
class ReportCounts:
    """The nudge report's inputs (`elnudge.reports.nudge_report` turns them into its JSON)."""

    by_type: dict[NudgeType, TypeCounts]
    baseline: Arm
    experiment: ExperimentCounts


def report_counts(
    connection: Connection, period: Period, *, holdout_share: float, now_ms: int
) -> ReportCounts:
    """The counts over the period's sessions; `holdout_share` is the site's setting as a
    fraction (10% is 0.1). Run it in one snapshot (`Database.snapshot()`) for counts that
    agree with each other while events arrive, after `metrics.settle` for speed."""
    slots = period_slots(connection, period, buckets=TOTAL)
    total = slots.total()
    return ReportCounts(
        by_type=slots.by_type(),
        baseline=total.baseline,
        experiment=ExperimentCounts(
            treatment=total.treatment_arm,
            holdout=total.holdout_arm,
            holdout_share=holdout_share,
            recent_daily_sessions=recent_daily_sessions(
                connection, period.site_id, period.mode, now_ms
            ),
        ),
    )


def settle_report(database: Database, period: Period, now_ms: int) -> None:
    """Store the days `report_counts` will read that are not stored yet: the period's, and the
    last week's the experiment projects from (a write, so before the report's snapshot)."""
    settle(database, period, now_ms)
    settle(database, recent_week(period.site_id, period.mode, now_ms), now_ms)
