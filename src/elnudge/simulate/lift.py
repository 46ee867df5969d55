"""The lift the simulated nudges bring, measured as the nudge report measures it.

    python -m elnudge.simulate.lift [--days D] [--per-day N] [--holdout-percent P] [--seed S]

The experiment is the sessions for which the engine decided a proactive nudge: shown
(treatment) or held out (holdout), the arm being that of the session's first proactive offer.
Here a session is a client session (the simulator's unit; a rare long pause splits one in two
server sessions, which the report would count apart). `EXPECTED_LIFT` is what the simulator's
effect (`reactions.RESCUE`) gives on the demo's settings, averaged over several seeds; the
tests hold the simulator to it, docs/simulator.md explains it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Final

from elnudge.engine import is_proactive, parse_settings
from elnudge.reports.counts import Arm
from elnudge.simulate.decisions import SimulatedSite
from elnudge.simulate.traffic import SimulatedSession, simulate_sessions

EXPECTED_LIFT: Final = 0.49  # CR of the treatment / CR of the holdout - 1 (seeds 1, 2, 3)
DEMO_LIKE: Final = {"free_shipping_threshold": 150, "free_shipping_currency": "USD"}


def experiment_arms(sessions: Iterable[SimulatedSession]) -> tuple[Arm, Arm]:
    """(treatment, holdout): sessions with a proactive offer and how many of them converted."""
    counts = {False: [0, 0], True: [0, 0]}  # held out -> [sessions, conversions]
    for session in sessions:
        first = next((o for o in session.offers if is_proactive(o.type)), None)
        if first is not None:
            arm = counts[first.held_out]
            arm[0] += 1
            arm[1] += session.converted
    return Arm(*counts[False]), Arm(*counts[True])


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: simulate, then print both arms and the relative lift."""
    parser = argparse.ArgumentParser(prog="python -m elnudge.simulate.lift")
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--per-day", type=int, default=300)
    parser.add_argument("--holdout-percent", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    settings = parse_settings({**DEMO_LIKE, "holdout_percent": args.holdout_percent})
    sessions = simulate_sessions(
        seed=args.seed,
        start=datetime(2026, 3, 2, tzinfo=UTC),
        days=args.days,
        sessions_per_day=args.per_day,
        site=SimulatedSite(settings=settings),
    )
    treatment, holdout = experiment_arms(sessions)
    for name, arm in (("treatment", treatment), ("holdout", holdout)):
        rate = f"{arm.conversion_rate:.2%}"
        print(f"{name:<10}{arm.sessions:>8} sessions{arm.conversions:>7} converted  {rate}")
    if holdout.conversions:
        lift = treatment.conversion_rate / holdout.conversion_rate - 1
        print(f"relative lift {lift:+.1%} (expected {EXPECTED_LIFT:+.0%})")
    else:
        print("relative lift undefined: no conversions in the holdout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
