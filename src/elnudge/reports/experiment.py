"""The report's `experiment` object (and the arm shape `baseline` shares), from counts.

JSON-ready dicts with the API's keys in the API's order. Every fraction is rounded to 4 places
(the API contract's rule for rates, kept for lifts, intervals and shares so the object reads one
way); p-values keep 4 significant digits instead, so a tiny one does not print as 0. `null`
stands wherever a number is undefined (`stats` says when), never a made-up 0.
"""

from __future__ import annotations

from typing import TypedDict

from elnudge.reports import power, stats
from elnudge.reports.counts import Arm, ExperimentCounts

PLACES = 4


class ArmReport(TypedDict):
    sessions: int
    conversions: int
    conversion_rate: float


class SrmReport(TypedDict):
    expected_holdout_share: float
    observed_holdout_share: float | None
    p_value: float | None
    mismatch: bool


class ExperimentReport(TypedDict):
    treatment: ArmReport
    holdout: ArmReport
    relative_lift: float | None
    ci95: list[float] | None
    ci95_always_valid: list[float] | None
    srm: SrmReport
    mde: float | None
    days_to_detect_10pct: int | None


def experiment_report(counts: ExperimentCounts) -> ExperimentReport:
    """The `experiment` object: both arms, the lift with its two intervals, the SRM check, the
    MDE and the days until a 10% lift would be detectable."""
    treatment, holdout = counts.treatment, counts.holdout
    return {
        "treatment": arm_report(treatment),
        "holdout": arm_report(holdout),
        "relative_lift": _rounded_or_none(stats.relative_lift(treatment, holdout)),
        "ci95": _interval(stats.katz_interval(treatment, holdout)),
        "ci95_always_valid": _interval(stats.always_valid_interval(treatment, holdout)),
        "srm": srm_report(counts),
        "mde": _rounded_or_none(power.minimum_detectable_lift(treatment, holdout)),
        "days_to_detect_10pct": power.days_to_detect(counts),
    }


def arm_report(arm: Arm) -> ArmReport:
    """`{sessions, conversions, conversion_rate}`: the rate is 0 for an arm without sessions."""
    return {
        "sessions": arm.sessions,
        "conversions": arm.conversions,
        "conversion_rate": rounded(arm.conversion_rate),
    }


def srm_report(counts: ExperimentCounts) -> SrmReport:
    """Is the holdout's share of sessions what the setting says? A mismatch (p < 0.001) means
    assignment or tracking is broken, and no lift should be trusted until it is fixed."""
    n_t, n_h = counts.treatment.sessions, counts.holdout.sessions
    p_value = stats.srm_p_value(n_t, n_h, counts.holdout_share)
    return {
        "expected_holdout_share": rounded(counts.holdout_share),
        "observed_holdout_share": rounded(n_h / (n_t + n_h)) if n_t + n_h else None,
        "p_value": None if p_value is None else float(f"{p_value:.4g}"),
        "mismatch": p_value is not None and p_value < stats.SRM_ALPHA,
    }


def rounded(value: float) -> float:
    """`value` to 4 decimal places, never -0.0."""
    return round(value, PLACES) + 0.0


def _rounded_or_none(value: float | None) -> float | None:
    return None if value is None else rounded(value)


def _interval(bounds: tuple[float, float] | None) -> list[float] | None:
    return None if bounds is None else [rounded(bounds[0]), rounded(bounds[1])]
