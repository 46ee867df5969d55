"""The report's JSON shapes: keys and their order, the four types, rounding, zeros and nulls."""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import elnudge.reports
from elnudge.reports import (
    Arm,
    ExperimentCounts,
    TypeCounts,
    experiment_report,
    nudge_report,
    type_rows,
)
from elnudge.vocabulary import NudgeType

# The API contract's example, as counts.
EXIT_MODAL = TypeCounts(
    shown=120,
    clicked=30,
    dismissed=50,
    chat_opened=12,
    sessions=118,
    conversions=21,
    influenced_conversions=17,
)
BASELINE = Arm(5_400, 97)
EXPERIMENT = ExperimentCounts(
    treatment=Arm(900, 40), holdout=Arm(100, 3), holdout_share=0.1, recent_daily_sessions=100
)
TYPE_KEYS = [
    "type",
    "shown",
    "clicked",
    "dismissed",
    "chat_opened",
    "click_rate",
    "dismiss_rate",
    "chat_open_rate",
    "sessions",
    "conversions",
    "conversion_rate",
    "influenced_conversions",
]
EXPERIMENT_KEYS = [
    "treatment",
    "holdout",
    "relative_lift",
    "ci95",
    "ci95_always_valid",
    "srm",
    "mde",
    "days_to_detect_10pct",
]
SRM_KEYS = ["expected_holdout_share", "observed_holdout_share", "p_value", "mismatch"]
ARM_KEYS = ["sessions", "conversions", "conversion_rate"]


def report() -> dict[str, Any]:
    data = nudge_report(
        "2026-11-01T00:00:00Z",
        "2026-12-01T00:00:00Z",
        {NudgeType.EXIT_MODAL: EXIT_MODAL},
        BASELINE,
        EXPERIMENT,
    )
    serialised: dict[str, Any] = orjson.loads(orjson.dumps(data))  # as the API will send it
    return serialised


def test_the_contract_example_comes_out_as_the_contract_shows_it() -> None:
    data = report()
    assert list(data) == ["from", "to", "by_type", "baseline", "experiment"]
    assert data["from"] == "2026-11-01T00:00:00Z" and data["to"] == "2026-12-01T00:00:00Z"
    exit_modal = data["by_type"][2]
    assert exit_modal == {
        "type": "exit_modal",
        "shown": 120,
        "clicked": 30,
        "dismissed": 50,
        "chat_opened": 12,
        "click_rate": 0.25,
        "dismiss_rate": 0.4167,
        "chat_open_rate": 0.1,
        "sessions": 118,
        "conversions": 21,
        "conversion_rate": 0.178,
        "influenced_conversions": 17,
    }
    assert list(exit_modal) == TYPE_KEYS
    assert data["baseline"] == {"sessions": 5400, "conversions": 97, "conversion_rate": 0.018}
    experiment = data["experiment"]
    assert list(experiment) == EXPERIMENT_KEYS
    assert experiment["treatment"] == {
        "sessions": 900,
        "conversions": 40,
        "conversion_rate": 0.0444,
    }
    assert experiment["holdout"] == {"sessions": 100, "conversions": 3, "conversion_rate": 0.03}
    assert list(experiment["treatment"]) == list(experiment["holdout"]) == ARM_KEYS
    # The contract's 0.48, [-0.55, 3.9] and [-0.8, 9.1] are illustrative; these are computed
    # (tests/reports/test_stats.py works them out by hand).
    assert experiment["relative_lift"] == 0.4815
    assert experiment["ci95"] == [-0.5332, 3.7019]
    assert experiment["ci95_always_valid"] == [-0.7959, 9.7535]
    assert experiment["srm"] == {
        "expected_holdout_share": 0.1,
        "observed_holdout_share": 0.1,
        "p_value": 1.0,
        "mismatch": False,
    }
    assert list(experiment["srm"]) == SRM_KEYS
    assert experiment["mde"] == 2.0219  # statsmodels agrees (tests/reports/test_power.py)
    # At 100 sessions a day a 10% lift is years away (the same cross-check confirms the day).
    assert experiment["days_to_detect_10pct"] == 2_053


def test_by_type_lists_all_four_types_in_order_with_zeros() -> None:
    rows = type_rows({})
    assert [row["type"] for row in rows] == ["chat_bubble", "toast", "exit_modal", "sticky_bar"]
    for row in rows:
        assert list(row) == TYPE_KEYS
        assert all(row[key] == 0 for key in TYPE_KEYS[1:])  # type: ignore[literal-required]
        assert isinstance(row["click_rate"], float) and isinstance(row["shown"], int)
    rows = type_rows({NudgeType.STICKY_BAR: TypeCounts(shown=3), NudgeType.TOAST: TypeCounts()})
    assert [row["shown"] for row in rows] == [0, 0, 0, 3]


def test_rates_divide_by_shown_and_are_0_when_nothing_was_shown() -> None:
    (row, *_) = type_rows({NudgeType.CHAT_BUBBLE: TypeCounts(shown=3, clicked=1, dismissed=2)})
    assert (row["click_rate"], row["dismiss_rate"], row["chat_open_rate"]) == (0.3333, 0.6667, 0)
    # Reactions without a recorded show (the count as the query layer found it): no division.
    (row, *_) = type_rows({NudgeType.CHAT_BUBBLE: TypeCounts(shown=0, clicked=2, sessions=4)})
    assert row["click_rate"] == 0.0 and row["conversion_rate"] == 0.0


def test_rates_round_to_4_places() -> None:
    (row, *_) = type_rows({NudgeType.CHAT_BUBBLE: TypeCounts(shown=7, clicked=1, chat_opened=6)})
    assert row["click_rate"] == 0.1429  # 0.142857...
    assert row["chat_open_rate"] == 0.8571  # 0.857142...
    assert experiment_report(counts(Arm(30_000, 1), Arm(3_000, 1)))["treatment"] == {
        "sessions": 30_000,
        "conversions": 1,
        "conversion_rate": 0.0,  # 0.0000333: below the 4th place, and never -0.0
    }


def counts(
    treatment: Arm, holdout: Arm, share: float = 0.1, daily: float = 100
) -> ExperimentCounts:
    return ExperimentCounts(treatment, holdout, holdout_share=share, recent_daily_sessions=daily)


def test_no_holdout_conversions_leave_the_lift_and_its_intervals_null() -> None:
    experiment = experiment_report(counts(Arm(900, 40), Arm(100, 0)))
    assert experiment["relative_lift"] is None
    assert experiment["ci95"] is None and experiment["ci95_always_valid"] is None
    assert experiment["holdout"]["conversion_rate"] == 0.0
    # The MDE needs a rate, not holdout conversions: both arms' pooled rate is known.
    assert experiment["mde"] is not None and experiment["days_to_detect_10pct"] is not None


def test_no_treated_conversions_is_a_lift_of_minus_one_without_an_interval() -> None:
    experiment = experiment_report(counts(Arm(900, 0), Arm(100, 3)))
    assert experiment["relative_lift"] == -1.0
    assert experiment["ci95"] is None and experiment["ci95_always_valid"] is None


def test_zero_sessions_in_an_arm() -> None:
    no_holdout = experiment_report(counts(Arm(900, 40), Arm(0, 0)))
    assert no_holdout["holdout"] == {"sessions": 0, "conversions": 0, "conversion_rate": 0.0}
    assert no_holdout["relative_lift"] is None and no_holdout["ci95"] is None
    assert no_holdout["mde"] is None and no_holdout["days_to_detect_10pct"] is None
    assert no_holdout["srm"] == {
        "expected_holdout_share": 0.1,
        "observed_holdout_share": 0.0,
        "p_value": 1.524e-23,  # 900 sessions and none held out, at 10%: chi2 = 100
        "mismatch": True,
    }
    nothing = experiment_report(counts(Arm(0, 0), Arm(0, 0)))
    assert nothing["treatment"]["conversion_rate"] == 0.0
    assert nothing["srm"] == {
        "expected_holdout_share": 0.1,
        "observed_holdout_share": None,
        "p_value": None,
        "mismatch": False,
    }
    assert nothing["relative_lift"] is None and nothing["mde"] is None
    assert nothing["ci95"] is None and nothing["ci95_always_valid"] is None
    assert nothing["days_to_detect_10pct"] is None


def test_every_session_converted() -> None:
    experiment = experiment_report(counts(Arm(20, 20), Arm(5, 5)))
    assert experiment["treatment"]["conversion_rate"] == experiment["holdout"]["conversion_rate"]
    assert experiment["treatment"]["conversion_rate"] == 1.0
    assert experiment["relative_lift"] == 0.0
    # No variance to build an interval on, and no room above 100% for a lift.
    assert experiment["ci95"] is None and experiment["ci95_always_valid"] is None
    assert experiment["mde"] is None and experiment["days_to_detect_10pct"] is None
    row = type_rows({NudgeType.TOAST: TypeCounts(shown=4, clicked=4, sessions=2, conversions=2)})
    assert row[1]["click_rate"] == 1.0 and row[1]["conversion_rate"] == 1.0


def test_srm_mismatch_below_one_in_a_thousand() -> None:
    srm = experiment_report(counts(Arm(850, 40), Arm(150, 3)))["srm"]
    assert srm == {
        "expected_holdout_share": 0.1,
        "observed_holdout_share": 0.15,
        "p_value": 1.361e-07,  # 4 significant digits, so a small p does not print as 0.0
        "mismatch": True,
    }
    # Just either side of p = 0.001: 10,000 sessions at 10% expect 1,000 held out (sd 30).
    assert experiment_report(counts(Arm(8_901, 0), Arm(1_099, 0)))["srm"]["mismatch"] is True
    assert experiment_report(counts(Arm(8_902, 0), Arm(1_098, 0)))["srm"]["mismatch"] is False


@st.composite
def arms(draw: st.DrawFn) -> Arm:
    sessions = draw(st.integers(0, 10**8))
    return Arm(sessions, draw(st.integers(0, sessions)))


@st.composite
def type_counts(draw: st.DrawFn) -> TypeCounts:
    shown, sessions = draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6))
    clicked, dismissed, chat_opened, influenced = (draw(st.integers(0, shown)) for _ in range(4))
    conversions = draw(st.integers(0, sessions))
    return TypeCounts(shown, clicked, dismissed, chat_opened, sessions, conversions, influenced)


@given(st.dictionaries(st.sampled_from(NudgeType), type_counts()))
def test_any_type_counts_give_four_rows_of_rates_between_0_and_1(
    by_type: dict[NudgeType, TypeCounts],
) -> None:
    rows = orjson.loads(orjson.dumps(type_rows(by_type)))
    assert [row["type"] for row in rows] == list(NudgeType)
    for row in rows:
        rates = [row[key] for key in TYPE_KEYS if key.endswith("_rate")]
        assert all(0 <= rate <= 1 for rate in rates)


@given(arms(), arms(), st.floats(0, 1), st.floats(0, 10**7))
def test_any_counts_give_a_finite_consistent_experiment(
    treatment: Arm, holdout: Arm, share: float, daily: float
) -> None:
    data = experiment_report(counts(treatment, holdout, share, daily))
    experiment = orjson.loads(orjson.dumps(data))  # orjson rejects NaN and infinity
    assert experiment == data
    lift, mde, days = (
        experiment["relative_lift"],
        experiment["mde"],
        experiment["days_to_detect_10pct"],
    )
    assert lift is None or lift >= -1
    for interval in (experiment["ci95"], experiment["ci95_always_valid"]):
        assert interval is None or -1 <= interval[0] <= interval[1]
    p_value = experiment["srm"]["p_value"]
    assert p_value is None or 0 <= p_value <= 1
    assert mde is None or mde >= 0  # 0.0 when below the 4th place (10^8 sessions)
    assert days is None or 0 <= days <= 36_500
    # One power function behind both: "already detectable" and an MDE of at most 10% agree.
    if days == 0:
        assert mde is not None and mde <= 0.1
    reachable = (treatment.conversions + holdout.conversions) * 1.1 <= (
        treatment.sessions + holdout.sessions
    )
    if mde is not None and mde < 0.0999 and reachable:
        assert days == 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Arm(-1, 0), "sessions must be a count"),
        (lambda: Arm(3, 4), "4 conversions in 3 sessions"),
        (lambda: Arm(True, 0), "sessions must be a count"),
        (lambda: Arm(3.0, 1), "sessions must be a count"),  # type: ignore[arg-type]
        (lambda: TypeCounts(shown=-2), "shown must be a count"),
        (lambda: TypeCounts(sessions=1, conversions=2), "2 conversions in 1 sessions"),
        (lambda: counts(Arm(1, 0), Arm(1, 0), share=1.5), "holdout_share"),
        (lambda: counts(Arm(1, 0), Arm(1, 0), daily=-1), "recent_daily_sessions"),
        (lambda: counts(Arm(1, 0), Arm(1, 0), daily=math.nan), "recent_daily_sessions"),
        (lambda: type_rows({"banner": TypeCounts()}), "not nudge types"),  # type: ignore[dict-item]
    ],
)
def test_counts_that_break_an_invariant_are_a_bug_upstream(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_the_server_computes_it_without_the_scientific_stack() -> None:
    # numpy, scipy and statsmodels are dev dependencies: the tests' independent implementations.
    code = (
        "import sys, elnudge.reports; "
        "print(sorted({name.split('.')[0] for name in sys.modules}"
        " & {'numpy', 'scipy', 'statsmodels', 'pandas'}))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_public_surface() -> None:
    assert sorted(elnudge.reports.__all__) == [
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
