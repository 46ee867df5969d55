"""The lift, its two intervals and the SRM check: hand-worked numbers, every undefined case,
and statsmodels / scipy as independent implementations."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare
from statsmodels.stats.proportion import confint_proportions_2indep

from elnudge.reports.counts import Arm
from elnudge.reports.stats import (
    ALPHA,
    CS_TUNING_SESSIONS,
    Z_ALPHA,
    always_valid_interval,
    katz_interval,
    log_risk_ratio,
    relative_lift,
    sequence_standard_errors,
    srm_p_value,
)

# The API contract's example: 40 of 900 treated sessions converted, 3 of 100 held out.
TREATMENT, HOLDOUT = Arm(900, 40), Arm(100, 3)


@st.composite
def arms(draw: st.DrawFn, max_sessions: int = 10**7) -> Arm:
    sessions = draw(st.integers(0, max_sessions))
    return Arm(sessions, draw(st.integers(0, sessions)))


# -- relative lift and the Katz interval ------------------------------------------------------


def test_relative_lift_by_hand() -> None:
    # (40/900) / (3/100) = 1.481481...
    assert relative_lift(TREATMENT, HOLDOUT) == pytest.approx(0.481481, abs=1e-6)
    assert relative_lift(Arm(200, 10), Arm(100, 5)) == pytest.approx(0.0)
    assert relative_lift(Arm(100, 0), Arm(100, 5)) == -1.0  # nothing converted with nudges


def test_relative_lift_is_undefined_without_holdout_conversions_or_treated_sessions() -> None:
    assert relative_lift(TREATMENT, Arm(100, 0)) is None
    assert relative_lift(TREATMENT, Arm(0, 0)) is None
    assert relative_lift(Arm(0, 0), HOLDOUT) is None


def test_katz_interval_by_hand() -> None:
    # log RR = ln(1.481481) = 0.393043; SE^2 = 1/40 - 1/900 + 1/3 - 1/100 = 0.347222, SE = 0.589256
    # exp(0.393043 -/+ 1.959964 * 0.589256) - 1 = exp(-0.761878) - 1, exp(1.547964) - 1
    ratio = log_risk_ratio(TREATMENT, HOLDOUT)
    assert ratio is not None
    assert ratio.estimate == pytest.approx(0.393043, abs=1e-6)
    assert ratio.se == pytest.approx(0.589256, abs=1e-6)
    assert katz_interval(TREATMENT, HOLDOUT) == pytest.approx((-0.533211, 3.701880), abs=1e-6)


@pytest.mark.parametrize(
    ("treatment", "holdout"),
    [
        (TREATMENT, HOLDOUT),
        (Arm(27_000, 810), Arm(3_000, 90)),  # no effect
        (Arm(4_500, 99), Arm(500, 21)),  # nudges hurt
        (Arm(50, 50), Arm(50, 25)),  # every treated session converted
        (Arm(1, 1), Arm(7, 1)),
        (Arm(10**7, 123_456), Arm(10**6, 9_876)),
    ],
)
def test_katz_interval_matches_statsmodels(treatment: Arm, holdout: Arm) -> None:
    low, high = confint_proportions_2indep(
        treatment.conversions,
        treatment.sessions,
        holdout.conversions,
        holdout.sessions,
        method="log",  # Katz: no 0.5 added (statsmodels' default "log-adjusted" adds it)
        compare="ratio",
        alpha=ALPHA,
    )
    assert katz_interval(treatment, holdout) == pytest.approx((low - 1, high - 1), rel=1e-9)


@pytest.mark.parametrize(
    ("treatment", "holdout"),
    [
        (TREATMENT, Arm(100, 0)),  # no holdout conversions: log 0
        (Arm(900, 0), HOLDOUT),  # no treated conversions: log 0
        (Arm(0, 0), HOLDOUT),  # no treated sessions
        (TREATMENT, Arm(0, 0)),  # no held-out sessions
        (Arm(12, 12), Arm(3, 3)),  # every session converted: no variance to speak of
    ],
)
def test_intervals_are_undefined_where_log_rr_has_no_estimate_or_no_variance(
    treatment: Arm, holdout: Arm
) -> None:
    assert log_risk_ratio(treatment, holdout) is None
    assert katz_interval(treatment, holdout) is None
    assert always_valid_interval(treatment, holdout) is None


# -- the confidence sequence ------------------------------------------------------------------


def test_confidence_sequence_by_hand() -> None:
    # rho^2 N* = -2 ln 0.05 + ln(-2 ln 0.05 + 1) = 5.991465 + 1.944690 = 7.936155;
    # at n = 1000 sessions, n rho^2 = 1000 * 7.936155 / 5000 = 1.587231, and
    # sqrt(2 * 2.587231 / 1.587231 * ln(sqrt(2.587231) / 0.05)) = sqrt(3.260056 * 3.471026)
    assert sequence_standard_errors(1000) == pytest.approx(3.363888, abs=1e-6)
    # exp(0.393043 -/+ 3.363888 * 0.589256) - 1
    interval = always_valid_interval(TREATMENT, HOLDOUT)
    assert interval == pytest.approx((-0.795900, 9.753512), abs=1e-6)


@pytest.mark.parametrize("sessions", [1, 50, 1_000, 5_000, 123_456, 10**9])
@pytest.mark.parametrize("tuning", [500, CS_TUNING_SESSIONS, 10**6])
def test_confidence_sequence_is_the_normal_mixture_boundary(sessions: int, tuning: int) -> None:
    # Waudby-Smith et al. eq. 9 is Robbins' two-sided normal mixture boundary (as Howard et al.
    # 2021 write it) for a unit-variance sum, sqrt((t + r) log((t + r) / (r alpha^2))) with
    # r = 1 / rho^2, divided by the sum's standard deviation sqrt(t).
    rho_squared = (-2 * math.log(ALPHA) + math.log(-2 * math.log(ALPHA) + 1)) / tuning
    r = 1 / rho_squared
    boundary = math.sqrt((sessions + r) * math.log((sessions + r) / (r * ALPHA**2)))
    assert sequence_standard_errors(sessions, tuning) == pytest.approx(
        boundary / math.sqrt(sessions), rel=1e-12
    )


def test_confidence_sequence_is_tightest_at_the_tuning_sessions_as_documented() -> None:
    widths = {n: sequence_standard_errors(n) / Z_ALPHA for n in range(500, 50_001, 10)}
    tightest = min(widths, key=widths.__getitem__)
    assert tightest == pytest.approx(CS_TUNING_SESSIONS, rel=0.05)
    # The numbers stats.py and docs/reports.md give.
    assert widths[5_000] == pytest.approx(1.55, abs=0.005)
    assert max(widths[n] for n in range(1_000, 50_001, 10)) == pytest.approx(1.72, abs=0.005)
    assert sequence_standard_errors(500_000) / Z_ALPHA == pytest.approx(1.82, abs=0.005)


@given(arms(), arms())
def test_the_always_valid_interval_contains_the_fixed_one_and_both_the_lift(
    treatment: Arm, holdout: Arm
) -> None:
    fixed = katz_interval(treatment, holdout)
    always = always_valid_interval(treatment, holdout)
    lift = relative_lift(treatment, holdout)
    assert (fixed is None) == (always is None)
    if fixed is None or always is None:
        return
    assert lift is not None
    assert -1 <= always[0] <= fixed[0] <= lift * (1 + 1e-12) + 1e-12
    assert lift * (1 - 1e-12) - 1e-12 <= fixed[1] <= always[1]
    assert all(math.isfinite(bound) for bound in (*fixed, *always))


# -- sample-ratio mismatch --------------------------------------------------------------------


def test_srm_by_hand() -> None:
    assert srm_p_value(900, 100, 0.1) == 1.0
    # expected 900 / 100: chi2 = 20^2/900 + 20^2/100 = 4.4444, P(chi2_1 >= 4.4444) = 0.035015
    assert srm_p_value(880, 120, 0.1) == pytest.approx(0.035015, abs=1e-6)
    # chi2 = 50^2/900 + 50^2/100 = 27.78: p = 1.36e-7, a mismatch
    assert srm_p_value(850, 150, 0.1) == pytest.approx(1.3608e-7, rel=1e-4)


@pytest.mark.parametrize(
    ("treatment", "holdout", "share"),
    [
        (880, 120, 0.1),
        (850, 150, 0.1),
        (5_003, 4_997, 0.5),
        (45_000, 5_321, 0.1),
        (1, 0, 0.1),
        (0, 7, 0.25),
        (123_456_789, 13_579_246, 0.1),
    ],
)
def test_srm_matches_scipy_chisquare(treatment: int, holdout: int, share: float) -> None:
    total = treatment + holdout
    expected = chisquare([treatment, holdout], [total * (1 - share), total * share]).pvalue
    assert srm_p_value(treatment, holdout, share) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_srm_without_sessions_or_with_an_arm_that_expects_none() -> None:
    assert srm_p_value(0, 0, 0.1) is None
    assert srm_p_value(1_000, 0, 0.0) == 1.0  # holdout off and nothing held out: as expected
    assert srm_p_value(1_000, 1, 0.0) == 0.0  # holdout off, yet a session held out
    assert srm_p_value(1, 1_000, 1.0) == 0.0
