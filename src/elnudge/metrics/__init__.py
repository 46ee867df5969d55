"""The query layer: the numbers the nudge report and the dashboard show, counted in SQL.

One module per question. Every function takes a `Period` (site, mode, and the window of
session starts) and counts only that site's, that mode's, non-bot sessions, so the API and the
dashboard cannot disagree, and nothing of another site or mode is ever counted.
"""

from elnudge.metrics.allowance import AllowanceUse, allowance_use
from elnudge.metrics.daily import Day, daily_series, totals
from elnudge.metrics.experiment import experiment_arms, experiment_counts
from elnudge.metrics.nudge_counts import all_sessions, baseline, type_counts
from elnudge.metrics.nudge_report import ReportCounts, report_counts
from elnudge.metrics.period import Period, local_days
from elnudge.metrics.revenue import Credit, influenced_purchases

__all__ = [
    "AllowanceUse",
    "Credit",
    "Day",
    "Period",
    "ReportCounts",
    "all_sessions",
    "allowance_use",
    "baseline",
    "daily_series",
    "experiment_arms",
    "experiment_counts",
    "influenced_purchases",
    "local_days",
    "report_counts",
    "totals",
    "type_counts",
]
