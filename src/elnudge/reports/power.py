"""How small a lift the experiment can see: `mde` and `days_to_detect_10pct`.

Both rest on one power function, the textbook one for comparing two proportions (Fleiss,
Levin & Paik 2003, ch. 4; statsmodels' `power_proportions_2indep`): a two-sided 5% z-test whose
variance is pooled under "no effect" and unpooled under the lift. It is not the exact test behind
`ci95` (Katz, on log RR), but it predicts that interval's real power best: in simulation the Katz
interval excludes 0 in 76-80% of experiments whose true lift is this MDE, where the log-scale
formula gives 83-97% when the holdout is small, i.e. an MDE too pessimistic (docs/reports.md).

The holdout's conversion rate, which the lift multiplies, is estimated by both arms' pooled rate:
under "no effect" that is its best estimate, with ten times the holdout's data at a 10% share.
If nudges do lift conversion by L, it overstates the holdout's rate by about (1 - share) * L,
which makes the MDE a little optimistic (about 4% at L = 10%).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Final

from elnudge.reports.counts import Arm, ExperimentCounts
from elnudge.reports.stats import Z_ALPHA

POWER: Final = 0.80  # the MDE is the lift detected with this probability
DETECT_LIFT: Final = 0.10  # days_to_detect_10pct
HORIZON_DAYS: Final = 36_500  # beyond a century, "when" is "never": null
_FIRST_LIFT: Final = 0.001  # the MDE's search doubles from here...
_TOLERANCE: Final = 1e-9  # ... then bisects to this relative width; the API shows 4 places

_NORMAL: Final = NormalDist()


def minimum_detectable_lift(treatment: Arm, holdout: Arm) -> float | None:
    """The smallest relative lift detected with 80% power with the sessions so far.

    None when no rate is known (`pooled_rate`), or when not even a lift to a 100% conversion
    rate would be detected that often.
    """
    rate = pooled_rate(treatment, holdout)
    if rate is None:
        return None
    highest = 1 / rate - 1  # to a 100% rate

    def detected(lift: float) -> bool:
        return power(rate, lift, treatment.sessions, holdout.sessions) >= POWER

    # Bracket by doubling from below, not from the highest lift: on an arm of a few sessions
    # the power can fall again as the rate nears 100% (the lift's variance vanishes there).
    low, high = 0.0, _FIRST_LIFT
    while not detected(min(high, highest)):
        if high >= highest:
            return None
        low, high = high, 2 * high
    high = min(high, highest)
    while high - low > _TOLERANCE * high:
        middle = (low + high) / 2
        low, high = (low, middle) if detected(middle) else (middle, high)
    return high


def days_to_detect(counts: ExperimentCounts, lift: float = DETECT_LIFT) -> int | None:
    """Whole days of `recent_daily_sessions`, split by `holdout_share`, until `lift` is detected
    with 80% power: 0 when it already is; None when no rate is known, when the lift would take
    the rate above 100%, or when it takes longer than `HORIZON_DAYS` (no traffic, no holdout)."""
    rate = pooled_rate(counts.treatment, counts.holdout)
    if rate is None or rate * (1 + lift) > 1:
        return None
    daily_holdout = counts.recent_daily_sessions * counts.holdout_share
    daily_treatment = counts.recent_daily_sessions - daily_holdout

    def detectable(days: int) -> bool:
        n_t = counts.treatment.sessions + days * daily_treatment
        n_h = counts.holdout.sessions + days * daily_holdout
        return power(rate, lift, n_t, n_h) >= POWER

    if not detectable(HORIZON_DAYS):
        return None
    low, high = -1, HORIZON_DAYS  # detectable(high) holds, detectable(low) does not (or -1)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if detectable(middle) else (middle, high)
    return high


def power(rate: float, lift: float, n_t: float, n_h: float) -> float:
    """The probability that the two-sided 5% test of proportions rejects "no effect" when the
    holdout converts at `rate` and the treatment at `rate * (1 + lift)` (both tails counted)."""
    p_t, p_h = min(rate * (1 + lift), 1.0), rate  # min: 1/rate - 1 may round past 100%
    pooled = (n_t * p_t + n_h * p_h) / (n_t + n_h)
    se_null = math.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_h))
    se_lift = math.sqrt(p_t * (1 - p_t) / n_t + p_h * (1 - p_h) / n_h)
    difference = p_t - p_h
    upper = _NORMAL.cdf((difference - Z_ALPHA * se_null) / se_lift)
    lower = _NORMAL.cdf((-difference - Z_ALPHA * se_null) / se_lift)
    return upper + lower


def pooled_rate(treatment: Arm, holdout: Arm) -> float | None:
    """Both arms' conversion rate together, standing for the holdout's.

    None without sessions in either arm, and at 0 or 1, where a binomial has no variance to
    plan with (no lift can be measured against 0, nor rise above 1).
    """
    sessions = treatment.sessions + holdout.sessions
    conversions = treatment.conversions + holdout.conversions
    if not treatment.sessions or not holdout.sessions or conversions in (0, sessions):
        return None
    return conversions / sessions
