"""The MDE and the days until a 10% lift is detectable: checked against statsmodels' power
function, solved independently with scipy, and against simulated experiments."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from statsmodels.stats.proportion import power_proportions_2indep

from elnudge.reports.counts import Arm, ExperimentCounts
from elnudge.reports.power import (
    HORIZON_DAYS,
    POWER,
    days_to_detect,
    minimum_detectable_lift,
    pooled_rate,
    power,
)
from elnudge.reports.stats import katz_interval

CASES = [
    (Arm(900, 40), Arm(100, 3)),  # the API contract's example
    (Arm(9_000, 270), Arm(1_000, 30)),
    (Arm(45_000, 1_350), Arm(5_000, 150)),
    (Arm(2_000, 100), Arm(2_000, 90)),  # a 50% holdout
    (Arm(90_000, 1_800), Arm(10_000, 200)),
    (Arm(900, 270), Arm(100, 30)),  # a high conversion rate
    (Arm(10**7, 2_000), Arm(10**6, 200)),  # a very low one
]


def statsmodels_power(rate: float, lift: float, n_t: float, n_h: float) -> float:
    """The same question asked of statsmodels: treatment at rate * (1 + lift), holdout at rate."""
    result = power_proportions_2indep(rate * lift, rate, n_t, ratio=n_h / n_t, alpha=0.05)
    return float(result.power)


@pytest.mark.parametrize(("treatment", "holdout"), CASES)
def test_power_matches_statsmodels(treatment: Arm, holdout: Arm) -> None:
    rate = pooled_rate(treatment, holdout)
    assert rate is not None
    n_t, n_h = treatment.sessions, holdout.sessions
    for lift in (0.01, 0.1, 0.5, 2.0):
        if rate * (1 + lift) <= 1:
            expected = statsmodels_power(rate, lift, n_t, n_h)
            assert power(rate, lift, n_t, n_h) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("treatment", "holdout"), CASES)
def test_mde_is_where_statsmodels_power_reaches_80_percent(treatment: Arm, holdout: Arm) -> None:
    mde = minimum_detectable_lift(treatment, holdout)
    rate = pooled_rate(treatment, holdout)
    assert mde is not None and rate is not None
    n_t, n_h = treatment.sessions, holdout.sessions

    def shortfall(lift: float) -> float:
        return statsmodels_power(rate, lift, n_t, n_h) - POWER

    expected = brentq(shortfall, 1e-9, 1 / rate - 1 - 1e-9, xtol=1e-12)
    assert mde == pytest.approx(expected, rel=1e-6)


def test_mde_by_hand() -> None:
    # 3% pooled over 9,000 + 1,000 sessions. At a lift of 62.4422%: p_t = 0.0487327, p_h = 0.03,
    # pooled under the lift 0.0468594; se_null = sqrt(0.0468594 * 0.9531406 * (1/9000 + 1/1000))
    # = 0.0070446, se_lift = sqrt(0.0487327 * 0.9512673 / 9000 + 0.03 * 0.97 / 1000) = 0.0058524,
    # and (0.0187327 - 1.959964 * 0.0070446) / 0.0058524 = 0.8416 = z_0.80: 80% power.
    mde = minimum_detectable_lift(Arm(9_000, 270), Arm(1_000, 30))
    assert mde == pytest.approx(0.624422, abs=1e-6)


def test_a_lift_at_the_mde_is_detected_80_percent_of_the_time() -> None:
    # The MDE's purpose, on the interval the API shows: simulate experiments whose true lift is
    # the MDE and count how often ci95 lies wholly above 0.
    treatment, holdout = Arm(45_000, 1_350), Arm(5_000, 150)
    mde = minimum_detectable_lift(treatment, holdout)
    assert mde is not None
    runs = 4_000
    rng = np.random.default_rng(20261201)
    treated = rng.binomial(treatment.sessions, 0.03 * (1 + mde), runs)
    held_out = rng.binomial(holdout.sessions, 0.03, runs)
    detected = 0
    for x_t, x_h in zip(treated, held_out, strict=True):
        interval = katz_interval(Arm(treatment.sessions, int(x_t)), Arm(holdout.sessions, int(x_h)))
        detected += interval is not None and interval[0] > 0
    # 80% +/- 3 points: four standard errors of a rate measured on 4,000 runs.
    assert detected / runs == pytest.approx(POWER, abs=0.03)


@pytest.mark.parametrize(
    ("treatment", "holdout"),
    [
        (Arm(0, 0), Arm(100, 3)),  # no treated sessions
        (Arm(900, 40), Arm(0, 0)),  # no held-out sessions
        (Arm(900, 0), Arm(100, 0)),  # nothing converted: no rate to lift
        (Arm(900, 900), Arm(100, 100)),  # everything converted: nothing left to lift
        (Arm(10, 5), Arm(10, 5)),  # 50%: not even doubling it would be detected 80% of the time
    ],
)
def test_mde_is_undefined(treatment: Arm, holdout: Arm) -> None:
    assert minimum_detectable_lift(treatment, holdout) is None


def test_mde_uses_both_arms_so_it_exists_without_holdout_conversions() -> None:
    assert minimum_detectable_lift(Arm(900, 40), Arm(100, 0)) is not None


@st.composite
def experiments_so_far(draw: st.DrawFn) -> tuple[Arm, Arm]:
    """Arms of 1 to 10 million sessions (tiny ones included), converting at a shared rate."""
    rate = draw(st.floats(0, 1))
    n_t, n_h = draw(st.integers(1, 10**7)), draw(st.integers(1, 10**7))
    return Arm(n_t, round(n_t * rate)), Arm(n_h, round(n_h * rate))


@settings(max_examples=300)
@given(experiments_so_far())
def test_mde_is_the_smallest_lift_with_80_percent_power(arms: tuple[Arm, Arm]) -> None:
    treatment, holdout = arms
    mde = minimum_detectable_lift(treatment, holdout)
    rate = pooled_rate(treatment, holdout)
    if mde is None:
        if rate is not None:  # no lift up to a 100% rate reaches 80%
            grid = [1.02**k - 1 for k in range(1, 2_000) if rate * 1.02**k <= 1]
            assert all(power(rate, lift, *sessions(arms)) < POWER for lift in grid)
        return
    assert rate is not None
    assert power(rate, mde, *sessions(arms)) >= POWER
    # A fine grid below it: even where the power curve is not monotone (a few sessions, rates
    # near 100%) no smaller lift is detected.
    below = [0.0005 * 1.02**k for k in range(1_000) if 0.0005 * 1.02**k < mde * (1 - 1e-7)]
    assert all(power(rate, lift, *sessions(arms)) < POWER for lift in below)


def sessions(arms: tuple[Arm, Arm]) -> tuple[int, int]:
    return arms[0].sessions, arms[1].sessions


# -- days to detect a 10% lift ----------------------------------------------------------------


def experiment(
    treatment: Arm, holdout: Arm, share: float = 0.1, daily: float = 1_000
) -> ExperimentCounts:
    return ExperimentCounts(treatment, holdout, holdout_share=share, recent_daily_sessions=daily)


@pytest.mark.parametrize(
    ("counts", "share", "daily"),
    [
        ((Arm(900, 40), Arm(100, 3)), 0.1, 100),  # the contract's example (test_report.py)
        ((Arm(900, 40), Arm(100, 3)), 0.1, 1_000),
        ((Arm(9_000, 270), Arm(1_000, 30)), 0.1, 300),
        ((Arm(2_000, 100), Arm(2_000, 90)), 0.5, 5_000),
        ((Arm(45_000, 900), Arm(5_000, 100)), 0.1, 12_345.6),
    ],
)
def test_days_match_the_sessions_statsmodels_needs(
    counts: tuple[Arm, Arm], share: float, daily: float
) -> None:
    # With the arms already split as the share says, both keep that ratio, and the sessions a
    # 10% lift needs can be solved for directly: days = ceil((needed - so far) / per day).
    treatment, holdout = counts
    rate = pooled_rate(treatment, holdout)
    assert rate is not None
    ratio = share / (1 - share)

    def shortfall(n_t: float) -> float:
        return float(power_proportions_2indep(rate * 0.1, rate, n_t, ratio=ratio).power) - POWER

    needed = brentq(shortfall, 10, 10**12, xtol=1e-6)
    expected = math.ceil((needed - treatment.sessions) / (daily * (1 - share)))
    assert days_to_detect(experiment(treatment, holdout, share, daily)) == expected


@given(
    st.integers(100, 10**6),
    st.floats(0.005, 0.3),
    st.floats(0.05, 0.5),
    st.floats(1, 10**5),
)
def test_days_is_the_first_day_the_lift_is_detectable(
    sessions: int, rate: float, share: float, daily: float
) -> None:
    n_h = max(1, round(sessions * 0.08))  # off the share on purpose: the past need not match
    n_t = sessions - n_h
    treatment = Arm(n_t, max(1, round(n_t * rate)))
    holdout = Arm(n_h, round(n_h * rate))
    days = days_to_detect(experiment(treatment, holdout, share, daily))
    pooled = pooled_rate(treatment, holdout)
    assert pooled is not None

    def detectable(day: int) -> bool:
        n_t_then, n_h_then = n_t + day * daily * (1 - share), n_h + day * daily * share
        return statsmodels_power(pooled, 0.1, n_t_then, n_h_then) >= POWER

    if days is None:
        assert not detectable(HORIZON_DAYS)
    else:
        assert detectable(days)
        assert days == 0 or not detectable(days - 1)


def test_days_is_0_when_a_10_percent_lift_is_already_detectable() -> None:
    treatment, holdout = Arm(900_000, 27_000), Arm(100_000, 3_000)
    mde = minimum_detectable_lift(treatment, holdout)
    assert mde is not None and mde < 0.1
    assert days_to_detect(experiment(treatment, holdout, daily=0)) == 0


def test_days_is_undefined_without_traffic_or_holdout_or_a_rate() -> None:
    assert days_to_detect(experiment(Arm(900, 40), Arm(100, 3), daily=0)) is None
    # Holdout switched off: the treatment grows, the 100 held-out sessions never do.
    assert days_to_detect(experiment(Arm(900, 40), Arm(100, 3), share=0.0)) is None
    assert days_to_detect(experiment(Arm(900, 0), Arm(100, 0))) is None  # no conversions yet
    assert days_to_detect(experiment(Arm(0, 0), Arm(0, 0))) is None  # nothing yet
    assert days_to_detect(experiment(Arm(900, 900), Arm(100, 100))) is None  # all converted
    assert days_to_detect(experiment(Arm(900, 850), Arm(100, 95))) is None  # 94.5% * 1.1 > 1


def test_days_is_undefined_beyond_the_horizon() -> None:
    # A trickle of traffic: 10% at 3% needs ~100,000 sessions; at 2 a day that is 137 years.
    counts = experiment(Arm(90, 3), Arm(10, 1), daily=2)
    assert days_to_detect(counts) is None
    assert days_to_detect(experiment(Arm(90, 3), Arm(10, 1), daily=20)) is not None
