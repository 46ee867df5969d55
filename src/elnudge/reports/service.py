"""The nudge report's rules: the key's site and mode, the period of session starts with the
sessions list's defaults and 400s, the plan's window, and the counts read in one snapshot
(after `settle` has stored the days the report reads: metrics/rollups.py)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from elnudge.db import Database
from elnudge.keys.service import Principal
from elnudge.metrics import Period, report_counts, settle_report
from elnudge.pagination import api_window_start, resolve_period
from elnudge.reports.report import NudgeReport, nudge_report
from elnudge.reports.schemas import NudgeReportQuery
from elnudge.sites.engine import site_engine
from elnudge.timestamps import format_timestamp


def prepare(database: Database, principal: Principal, query: NudgeReportQuery, now_ms: int) -> None:
    """Store the counts of the days `report` will read that are not stored yet (a write, so
    before the report's snapshot: it then reads them)."""
    settle_report(database, report_period(principal, query, now_ms), now_ms)


def report_period(principal: Principal, query: NudgeReportQuery, now_ms: int) -> Period:
    """The key's sessions that started in [from, to), within the plan's API window: what the
    sessions list does not show is not counted."""
    from_ms, to_ms = resolve_period(query.from_, query.to, now_ms)
    return Period(principal.site_id, principal.mode, from_ms, to_ms).within(
        api_window_start(principal, now_ms)
    )


def report(
    connection: Connection, principal: Principal, query: NudgeReportQuery, now_ms: int
) -> NudgeReport:
    """The report over the key's sessions that started in [from, to), bots excluded."""
    from_ms, to_ms = resolve_period(query.from_, query.to, now_ms)
    period = report_period(principal, query, now_ms)
    engine = site_engine(principal.engine_settings, principal.plan)
    counts = report_counts(
        connection, period, holdout_share=engine.settings.holdout_percent / 100, now_ms=now_ms
    )
    return nudge_report(
        format_timestamp(from_ms),
        format_timestamp(to_ms),
        counts.by_type,
        counts.baseline,
        counts.experiment,
    )
