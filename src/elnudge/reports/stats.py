"""The lift's intervals and the sample-ratio check; docs/reports.md derives each formula.

Pure functions of counts, on the standard library alone (`math`, `statistics.NormalDist`): the
server needs neither scipy nor numpy. The tests check every formula against statsmodels or scipy
and check the confidence sequence's purpose on simulated A/A experiments.

Notation: the treatment arm has x_t conversions in n_t sessions, the holdout x_h in n_h;
CR = x / n, RR = CR_t / CR_h, and the relative lift is RR - 1. Intervals are computed for log RR
and mapped back, so they always lie above -1 (a rate cannot fall below zero) and are asymmetric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Final

from elnudge.reports.counts import Arm

ALPHA: Final = 0.05  # two-sided: ci95, ci95_always_valid (and the MDE, in `power`)
SRM_ALPHA: Final = 0.001  # a sample-ratio mismatch is flagged below this p-value
# The confidence sequence is tightest at this many experiment sessions (both arms): 1.55 times
# the fixed interval's width there, at most 1.72 times from a fifth to ten times as many, 1.82 at
# a hundred times (docs/reports.md). GrowthBook's and PostHog's default; an experiment that
# gathers ~170 sessions a day reaches it in a month.
CS_TUNING_SESSIONS: Final = 5_000

_NORMAL: Final = NormalDist()
Z_ALPHA: Final = _NORMAL.inv_cdf(1 - ALPHA / 2)  # 1.96
# rho^2 * N* of Waudby-Smith et al. (arXiv:2103.06476v7), eq. 161, two-sided; 7.94 at 5%.
_CS_RHO2_N: Final = -2 * math.log(ALPHA) + math.log(-2 * math.log(ALPHA) + 1)


@dataclass(frozen=True, slots=True)
class LogRiskRatio:
    """log RR and its delta-method standard error."""

    estimate: float
    se: float

    def lift_interval(self, standard_errors: float) -> tuple[float, float]:
        """exp(log RR -/+ standard_errors * se) - 1: an interval for the relative lift."""
        half_width = standard_errors * self.se
        return math.expm1(self.estimate - half_width), math.expm1(self.estimate + half_width)


def relative_lift(treatment: Arm, holdout: Arm) -> float | None:
    """CR_t / CR_h - 1; None without treatment sessions or holdout conversions."""
    if not treatment.sessions or not holdout.conversions:
        return None
    return treatment.conversion_rate / holdout.conversion_rate - 1


def log_risk_ratio(treatment: Arm, holdout: Arm) -> LogRiskRatio | None:
    """log RR with SE^2 = 1/x_t - 1/n_t + 1/x_h - 1/n_h (Katz et al. 1978).

    None where that is undefined: an arm without conversions (log 0), or no variance at all
    (every session of both arms converted), where a normal interval would claim certainty.
    """
    if not treatment.conversions or not holdout.conversions:
        return None
    variance = _log_rate_variance(treatment) + _log_rate_variance(holdout)
    if variance <= 0:
        return None
    estimate = math.log(treatment.conversion_rate) - math.log(holdout.conversion_rate)
    return LogRiskRatio(estimate, math.sqrt(variance))


def katz_interval(treatment: Arm, holdout: Arm) -> tuple[float, float] | None:
    """The fixed-horizon 95% interval for the relative lift: valid for one look only."""
    ratio = log_risk_ratio(treatment, holdout)
    return None if ratio is None else ratio.lift_interval(Z_ALPHA)


def always_valid_interval(
    treatment: Arm, holdout: Arm, tuning_sessions: float = CS_TUNING_SESSIONS
) -> tuple[float, float] | None:
    """The 95% asymptotic confidence sequence for the relative lift: valid at every look."""
    ratio = log_risk_ratio(treatment, holdout)
    if ratio is None:
        return None
    sessions = treatment.sessions + holdout.sessions
    return ratio.lift_interval(sequence_standard_errors(sessions, tuning_sessions))


def sequence_standard_errors(sessions: float, tuning_sessions: float = CS_TUNING_SESSIONS) -> float:
    """Half-width of the confidence sequence at `sessions` (> 0), in standard errors.

    Waudby-Smith et al. (arXiv:2103.06476v7), eq. 9, divided by the standard error sigma/sqrt(n):
    sqrt(2 (n rho^2 + 1) / (n rho^2) * log(sqrt(n rho^2 + 1) / alpha)), always above 1.96.
    """
    spread = sessions * _CS_RHO2_N / tuning_sessions  # n rho^2
    return math.sqrt(2 * (spread + 1) / spread * math.log(math.sqrt(spread + 1) / ALPHA))


def srm_p_value(
    treatment_sessions: int, holdout_sessions: int, expected_share: float
) -> float | None:
    """P(chi-squared, 1 df, >= the goodness-of-fit statistic of the holdout's share).

    None without sessions. A share of 0 (or 1) makes one arm expect nothing: any session there
    is a certain mismatch (0.0), none leaves nothing to test (1.0).
    """
    total = treatment_sessions + holdout_sessions
    if not total:
        return None
    statistic = 0.0
    for observed, expected in (
        (holdout_sessions, total * expected_share),
        (treatment_sessions, total * (1 - expected_share)),
    ):
        if expected > 0:
            statistic += (observed - expected) ** 2 / expected
        elif observed:
            return 0.0
    return math.erfc(math.sqrt(statistic / 2))  # the chi-squared(1) tail is the normal's two


def _log_rate_variance(arm: Arm) -> float:
    """Var(log CR) by the delta method: (1 - CR) / (n CR) = 1/x - 1/n."""
    return 1 / arm.conversions - 1 / arm.sessions
