"""The `data` object of `GET /v1/reports/nudges`, assembled from counts.

`by_type` always lists the four nudge types in `NudgeType`'s order (chat_bubble, toast,
exit_modal, sticky_bar), zeros included, so a dashboard never has to fill gaps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from elnudge.reports.counts import Arm, ExperimentCounts, TypeCounts
from elnudge.reports.experiment import (
    ArmReport,
    ExperimentReport,
    arm_report,
    experiment_report,
    rounded,
)
from elnudge.vocabulary import NudgeType


class TypeRow(TypedDict):
    type: str
    shown: int
    clicked: int
    dismissed: int
    chat_opened: int
    click_rate: float
    dismiss_rate: float
    chat_open_rate: float
    sessions: int
    conversions: int
    conversion_rate: float
    influenced_conversions: int


# "from" is a keyword, hence the functional form.
NudgeReport = TypedDict(
    "NudgeReport",
    {
        "from": str,
        "to": str,
        "by_type": list[TypeRow],
        "baseline": ArmReport,
        "experiment": ExperimentReport,
    },
)


def nudge_report(
    window_from: str,
    window_to: str,
    by_type: Mapping[NudgeType, TypeCounts],
    baseline: Arm,
    experiment: ExperimentCounts,
) -> NudgeReport:
    """The report over sessions that started in [window_from, window_to) (API timestamps, as the
    query layer formats them); `baseline` is the sessions with no nudge interaction."""
    return {
        "from": window_from,
        "to": window_to,
        "by_type": type_rows(by_type),
        "baseline": arm_report(baseline),
        "experiment": experiment_report(experiment),
    }


def type_rows(by_type: Mapping[NudgeType, TypeCounts]) -> list[TypeRow]:
    """One row per nudge type, in `NudgeType` order; a type missing from `by_type` is all 0."""
    unknown = set(by_type) - set(NudgeType)
    if unknown:
        raise ValueError(f"not nudge types: {sorted(unknown)}")
    return [type_row(kind, by_type.get(kind, TypeCounts())) for kind in NudgeType]


def type_row(kind: NudgeType, counts: TypeCounts) -> TypeRow:
    """Reactions per nudge shown (0 when none was), and the conversion of its sessions."""
    return {
        "type": kind.value,
        "shown": counts.shown,
        "clicked": counts.clicked,
        "dismissed": counts.dismissed,
        "chat_opened": counts.chat_opened,
        "click_rate": _per_shown(counts.clicked, counts),
        "dismiss_rate": _per_shown(counts.dismissed, counts),
        "chat_open_rate": _per_shown(counts.chat_opened, counts),
        "sessions": counts.sessions,
        "conversions": counts.conversions,
        "conversion_rate": rounded(counts.conversions / counts.sessions if counts.sessions else 0),
        "influenced_conversions": counts.influenced_conversions,
    }


def _per_shown(count: int, counts: TypeCounts) -> float:
    return rounded(count / counts.shown) if counts.shown else 0.0
