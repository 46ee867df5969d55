"""The query layer: the numbers the nudge report and the dashboard show, counted in SQL.

Every number is a sum over a period's sessions (one site, one mode, humans only, by start), read
per 15-minute slot of start (`slots`), from stored whole days where they are stored (`rollups`),
so the API and the dashboard cannot disagree, and nothing of another site or mode is counted.
Call `settle` before reading a period in a snapshot: it stores the days the period needs.
"""

from elnudge.metrics.allowance import AllowanceUse, allowance_use
from elnudge.metrics.daily import Day, daily_series, totals
from elnudge.metrics.experiment import experiment_arms
from elnudge.metrics.nudge_report import ReportCounts, report_counts, settle_report
from elnudge.metrics.period import Period, local_days
from elnudge.metrics.revenue import Credit, influenced_purchases
from elnudge.metrics.rollups import period_slots, settle
from elnudge.metrics.slots import Slots, SlotSessions, count_slots

__all__ = [
    "AllowanceUse",
    "Credit",
    "Day",
    "Period",
    "ReportCounts",
    "SlotSessions",
    "Slots",
    "allowance_use",
    "count_slots",
    "daily_series",
    "experiment_arms",
    "influenced_purchases",
    "local_days",
    "period_slots",
    "report_counts",
    "settle",
    "settle_report",
    "totals",
]
