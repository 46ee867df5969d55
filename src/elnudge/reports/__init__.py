"""The nudge report (`GET /v1/reports/nudges`) as pure computations over counts.

No SQL and no web here: a query layer counts, these functions turn the counts into the API's
JSON shapes, with the statistics that make the lift trustworthy (docs/reports.md).
"""
