"""The nudge report (`GET /v1/reports/nudges`) as pure computations over counts.

No SQL and no web here: a query layer counts, these functions turn the counts into the API's
JSON shapes, with the statistics that make the lift trustworthy (docs/reports.md).
"""

from elnudge.reports.counts import Arm, ExperimentCounts, TypeCounts
from elnudge.reports.experiment import ExperimentReport, experiment_report
from elnudge.reports.report import NudgeReport, TypeRow, nudge_report, type_rows

__all__ = [
    "Arm",
    "ExperimentCounts",
    "ExperimentReport",
    "NudgeReport",
    "TypeCounts",
    "TypeRow",
    "experiment_report",
    "nudge_report",
    "type_rows",
]
