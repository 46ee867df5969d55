"""How well the intent score predicts conversion part-way through a session (docs/api.md,
"Intent score").

    python -m elnudge.simulate.evaluate [--sessions N] [--seed S]

Simulates held-out traffic (a seed never used for tuning), splits it into server sessions on
30 minutes of inactivity, and reports the AUC of the score at several cut-offs: after 25%, 50%
and 75% of the events before the first PURCHASE, and after the first 2 minutes.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby, islice
from operator import itemgetter
from typing import Any, Final
from urllib.parse import urlsplit

from elnudge.scoring.model import score_history
from elnudge.scoring.weights import MODEL_VERSION, TUNING_SEEDS
from elnudge.sessions.sessionize import INACTIVITY_MS
from elnudge.simulate.traffic import simulate_sessions
from elnudge.vocabulary import ALIASES, Event, EventType

HELD_OUT_SEED: Final = 20_260_429
SIMULATION_START: Final = datetime(2026, 3, 2, tzinfo=UTC)
SESSIONS_PER_DAY: Final = 300
EARLY_MS: Final = 2 * 60_000
CUTOFFS: Final = ("25% of events", "50% of events", "75% of events", "first 2 minutes")


@dataclass(frozen=True, slots=True)
class CutoffResult:
    """One cut-off: the AUC and the mean score of converting and other sessions."""

    name: str
    auc: float
    mean_converted: float
    mean_other: float


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The numbers `main` prints."""

    seed: int
    client_sessions: int
    sessions: int
    converted: int
    events: int
    scoring_seconds: float
    cutoffs: tuple[CutoffResult, ...]

    @property
    def base_rate(self) -> float:
        return self.converted / self.sessions if self.sessions else 0.0


def to_event(envelope: Mapping[str, Any]) -> Event:
    """A simulator envelope as the server stores it: canonical type, epoch ms, path + query."""
    parts = urlsplit(envelope["url"])
    moment = datetime.fromisoformat(envelope["ts"])
    return Event(
        type=ALIASES.get(envelope["event"], envelope["event"]),
        occurred_at=int(moment.timestamp() * 1000 + 0.5),
        url=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        data=dict(envelope.get("data", {})),
    )


def split_on_inactivity(events: Sequence[Event]) -> list[list[Event]]:
    """Cut one client key's events (oldest first) wherever 30 minutes pass without an event."""
    sessions: list[list[Event]] = []
    for event in events:
        if not sessions or event.occurred_at - sessions[-1][-1].occurred_at > INACTIVITY_MS:
            sessions.append([])
        sessions[-1].append(event)
    return sessions


def cutoff_scores(events: Sequence[Event], history: Sequence[int]) -> tuple[int, ...]:
    """The score at each of `CUTOFFS`, counting only events before the first PURCHASE."""
    before = next((i for i, e in enumerate(events) if e.type == EventType.PURCHASE), len(events))
    deadline = events[0].occurred_at + EARLY_MS if events else 0
    early = sum(1 for e in islice(events, before) if e.occurred_at <= deadline)

    def after(count: int) -> int:
        return history[count - 1] if count > 0 else 0

    fractions = (after(math.ceil(share * before)) for share in (0.25, 0.5, 0.75))
    return (*fractions, after(early))


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Mann-Whitney AUC: P(a random positive outscores a random negative), ties count half."""
    if not positives or not negatives:
        return math.nan
    labelled = sorted([(s, 1) for s in positives] + [(s, 0) for s in negatives])
    rank_sum, seen = 0.0, 0
    for _, group in groupby(labelled, key=itemgetter(0)):
        labels = [label for _, label in group]
        rank_sum += (seen + (len(labels) + 1) / 2) * sum(labels)  # tied items share mid-rank
        seen += len(labels)
    n_pos = len(positives)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * len(negatives))


def server_sessions(sessions: int, seed: int) -> tuple[int, list[list[Event]]]:
    """Simulate `sessions` client sessions; return their count and the server sessions."""
    per_day = max(1, min(sessions, SESSIONS_PER_DAY))
    simulated = simulate_sessions(
        seed=seed,
        start=SIMULATION_START,
        days=math.ceil(sessions / per_day),
        sessions_per_day=per_day,
    )
    result: list[list[Event]] = []
    count = 0
    for client in islice(simulated, sessions):
        count += 1
        result.extend(split_on_inactivity([to_event(e) for e in client.events]))
    return count, result


def evaluate(sessions: int = 9_000, seed: int = HELD_OUT_SEED) -> Evaluation:
    """Score simulated traffic and measure how well each cut-off predicts conversion."""
    clients, split = server_sessions(sessions, seed)
    began = time.perf_counter()
    histories = [score_history(events) for events in split]
    scoring_seconds = time.perf_counter() - began
    outcomes = [any(e.type == EventType.PURCHASE for e in events) for events in split]
    rows = [cutoff_scores(e, h) for e, h in zip(split, histories, strict=True)]
    return Evaluation(
        seed=seed,
        client_sessions=clients,
        sessions=len(split),
        converted=sum(outcomes),
        events=sum(len(events) for events in split),
        scoring_seconds=scoring_seconds,
        cutoffs=tuple(_cutoff_result(i, rows, outcomes) for i in range(len(CUTOFFS))),
    )


def _cutoff_result(
    index: int, rows: Sequence[Sequence[int]], outcomes: Iterable[bool]
) -> CutoffResult:
    converted: list[int] = []
    other: list[int] = []
    for row, outcome in zip(rows, outcomes, strict=True):
        (converted if outcome else other).append(row[index])
    return CutoffResult(CUTOFFS[index], auc(converted, other), _mean(converted), _mean(other))


def _mean(values: Sequence[int]) -> float:
    return sum(values) / len(values) if values else math.nan


def format_report(result: Evaluation) -> str:
    """A small plain-text table."""
    per_event = result.scoring_seconds / max(1, result.events) * 1e6
    held_out = "TUNING (not held-out)" if result.seed in TUNING_SEEDS else "held-out"
    lines = [
        f"intent model {MODEL_VERSION} on {held_out} simulated traffic, seed {result.seed}",
        f"{result.client_sessions:,} client sessions -> {result.sessions:,} server sessions, "
        f"{result.converted:,} converted (base rate {result.base_rate:.1%})",
        f"scored {result.events:,} events in {result.scoring_seconds:.3f} s "
        f"({per_event:.2f} us/event, full histories)",
        "",
        f"{'cut-off (before the first PURCHASE)':<38}{'AUC':>7}{'mean score conv / other':>26}",
    ]
    for row in result.cutoffs:
        means = f"{row.mean_converted:5.1f} / {row.mean_other:5.1f}"
        lines.append(f"{row.name:<38}{row.auc:>7.3f}{means:>26}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m elnudge.simulate.evaluate")
    parser.add_argument("--sessions", type=int, default=9_000, help="client sessions to simulate")
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED, help="simulator seed")
    args = parser.parse_args(argv)
    if args.sessions < 1:
        parser.error("--sessions must be at least 1")
    if args.seed in TUNING_SEEDS:
        print(
            f"warning: seed {args.seed} was used for tuning; this is not held out", file=sys.stderr
        )
    print(format_report(evaluate(args.sessions, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
