"""The typed answer of `GET /v1/reports/nudges`: per-type funnels, the baseline and the
holdout experiment. Fields that are `null` where undefined (no holdout conversions, …) are
`None` here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elnudge.client.models import known_value, parse_time
from elnudge.vocabulary import NudgeType

Json = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class NudgeTypeStats:
    """One nudge type's funnel over the period (rates divide by `shown`)."""

    type: NudgeType | str
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

    @classmethod
    def from_api(cls, item: Json) -> NudgeTypeStats:
        fields = {name: item[name] for name in cls.__dataclass_fields__}
        fields["type"] = known_value(NudgeType, item["type"])
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class Conversions:
    """Sessions, how many converted, and the rate."""

    sessions: int
    conversions: int
    conversion_rate: float

    @classmethod
    def from_api(cls, item: Json) -> Conversions:
        return cls(item["sessions"], item["conversions"], item["conversion_rate"])


@dataclass(frozen=True, slots=True)
class SampleRatioCheck:
    """Whether the holdout got the share of sessions it should have (chi-squared)."""

    expected_holdout_share: float
    observed_holdout_share: float | None
    p_value: float | None
    mismatch: bool

    @classmethod
    def from_api(cls, item: Json) -> SampleRatioCheck:
        return cls(
            item["expected_holdout_share"],
            item.get("observed_holdout_share"),
            item.get("p_value"),
            item["mismatch"],
        )


@dataclass(frozen=True, slots=True)
class Experiment:
    """Treatment (nudge shown) against holdout (decided, held back)."""

    treatment: Conversions
    holdout: Conversions
    relative_lift: float | None
    ci95: tuple[float, float] | None
    ci95_always_valid: tuple[float, float] | None
    srm: SampleRatioCheck | None
    mde: float | None
    days_to_detect_10pct: float | None

    @classmethod
    def from_api(cls, item: Json) -> Experiment:
        srm = item.get("srm")
        return cls(
            treatment=Conversions.from_api(item["treatment"]),
            holdout=Conversions.from_api(item["holdout"]),
            relative_lift=item.get("relative_lift"),
            ci95=_interval(item.get("ci95")),
            ci95_always_valid=_interval(item.get("ci95_always_valid")),
            srm=None if srm is None else SampleRatioCheck.from_api(srm),
            mde=item.get("mde"),
            days_to_detect_10pct=item.get("days_to_detect_10pct"),
        )


@dataclass(frozen=True, slots=True)
class NudgeReport:
    """How nudges performed over sessions that started in [`from_`, `to`)."""

    from_: datetime
    to: datetime
    by_type: tuple[NudgeTypeStats, ...]
    baseline: Conversions
    experiment: Experiment | None

    @classmethod
    def from_api(cls, item: Json) -> NudgeReport:
        experiment = item.get("experiment")
        return cls(
            from_=parse_time(item["from"]),
            to=parse_time(item["to"]),
            by_type=tuple(NudgeTypeStats.from_api(row) for row in item["by_type"]),
            baseline=Conversions.from_api(item["baseline"]),
            experiment=None if experiment is None else Experiment.from_api(experiment),
        )


def _interval(value: Sequence[float] | None) -> tuple[float, float] | None:
    return None if value is None else (value[0], value[1])
