"""What `ci95_always_valid` is for: a merchant who looks every day is not fooled by noise.

Simulated A/A experiments (nudges change nothing: both arms convert at the same rate) are looked
at once a day for 30 days. A "false positive" is a run where the interval excluded 0 at any
look. The fixed 95% interval, peeked at daily, cries wolf far more often than 5%; the
confidence sequence stays under 5%. docs/reports.md records the rates measured here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest
from scipy.stats import binomtest

from elnudge.reports.counts import Arm
from elnudge.reports.stats import always_valid_interval, katz_interval

Interval = Callable[[Arm, Arm], "tuple[float, float] | None"]
DAYS = 30
RUNS = 2_000  # per store: a rate near 5% is then known to +/- 1 point
SEED = 20261201


@dataclass(frozen=True)
class Store:
    daily_sessions: float  # experiment sessions a day, both arms (Poisson)
    holdout_share: float
    conversion_rate: float  # the same in both arms


STORES = {
    "small store, 10% holdout": Store(300, 0.10, 0.03),
    "busier store, 10% holdout": Store(3_000, 0.10, 0.02),
    "50% holdout": Store(1_000, 0.50, 0.05),
}


Looks = list[list[tuple[Arm, Arm]]]  # per run, the (treatment, holdout) counts at each look


@cache
def simulate(store: Store) -> Looks:
    """RUNS experiments of DAYS days: the cumulative counts of both arms after each day."""
    rng = np.random.default_rng(SEED)
    sessions = rng.poisson(store.daily_sessions, (RUNS, DAYS))
    held_out = rng.binomial(sessions, store.holdout_share)
    treated = sessions - held_out
    rate = store.conversion_rate
    daily = (treated, rng.binomial(treated, rate), held_out, rng.binomial(held_out, rate))
    n_t, x_t, n_h, x_h = (counts.cumsum(axis=1).tolist() for counts in daily)
    return [
        [
            (Arm(n_t[run][day], x_t[run][day]), Arm(n_h[run][day], x_h[run][day]))
            for day in range(DAYS)
        ]
        for run in range(RUNS)
    ]


def excludes_zero(bounds: tuple[float, float] | None) -> bool:
    return bounds is not None and (bounds[0] > 0 or bounds[1] < 0)


def false_positives(looks: Looks, interval: Interval) -> int:
    """Runs whose interval excluded 0 at some daily look."""
    return sum(any(excludes_zero(interval(*arms)) for arms in run) for run in looks)


@pytest.mark.parametrize("store", STORES.values(), ids=STORES.keys())
def test_daily_looks_fool_the_fixed_interval_but_not_the_confidence_sequence(store: Store) -> None:
    looks = simulate(store)  # the same runs for both intervals
    fooled_fixed = false_positives(looks, katz_interval)
    fooled_always = false_positives(looks, always_valid_interval)
    fixed_rate, always_rate = fooled_fixed / RUNS, fooled_always / RUNS
    # Not only the measured rates: their exact 95% Clopper-Pearson intervals lie on the right
    # side of 5%, so the seed is no luck.
    fixed_ci = binomtest(fooled_fixed, RUNS).proportion_ci(0.95)
    always_ci = binomtest(fooled_always, RUNS).proportion_ci(0.95)
    assert fixed_rate > 0.05 and fixed_ci.low > 0.05, (fixed_rate, always_rate)
    assert always_rate <= 0.05 and always_ci.high <= 0.05, (fixed_rate, always_rate)


def test_a_single_look_at_the_end_keeps_the_fixed_interval_honest() -> None:
    # The control: the fixed interval is a correct 95% interval for one look, so its A/A false
    # positives at day 30 alone are ~5%. What breaks it above is the peeking.
    looks = simulate(STORES["busier store, 10% holdout"])
    fooled = sum(excludes_zero(katz_interval(*run[-1])) for run in looks)
    ci = binomtest(fooled, RUNS).proportion_ci(0.95)
    assert ci.low <= 0.05 <= ci.high, fooled / RUNS
