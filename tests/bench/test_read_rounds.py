"""bench/read.py's rounds: each figure is the median of its rounds, failures are added up."""

from __future__ import annotations

from typing import Any

from bench.read import median_figures


def _round(rps: float, p50_ms: float, non_2xx: int) -> dict[str, Any]:
    load = {"tool": "wrk", "connections": 1, "rps": rps, "p50_ms": p50_ms, "non_2xx": non_2xx}
    return {
        "bytes": 900,
        **{name: dict(load) for name in ("one_connection", "fixed_rate", "saturation")},
    }


def test_one_round_is_itself() -> None:
    only = _round(100.0, 2.0, 0)
    assert median_figures([only]) is only


def test_figures_are_medians_and_non_2xx_answers_are_summed() -> None:
    rounds = [_round(100.0, 9.0, 0), _round(300.0, 2.0, 1), _round(200.0, 3.0, 2)]

    combined = median_figures(rounds)

    for load in ("one_connection", "fixed_rate", "saturation"):
        assert combined[load] == {
            "tool": "wrk",
            "connections": 1,
            "rps": 200.0,
            "p50_ms": 3.0,
            "non_2xx": 3,
        }
    assert combined["bytes"] == 900
    assert combined["rounds"] == rounds
