"""Models of `GET /v1/reports/nudges` for the OpenAPI document. The answer is built as plain
dicts (`report.nudge_report`); the endpoint tests validate it against these models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from elnudge.nudges.schemas import Timestamp
from elnudge.reports.counts import Arm, ExperimentCounts, TypeCounts
from elnudge.reports.report import nudge_report
from elnudge.timestamps import TIMESTAMP_PATTERN
from elnudge.vocabulary import NudgeType

_TIMESTAMP: dict[str, Any] = {"pattern": TIMESTAMP_PATTERN}
Rate = Annotated[float, Field(ge=0, le=1, description="A fraction, rounded to 4 places.")]
Interval = Annotated[
    list[float] | None,
    Field(
        min_length=2,
        max_length=2,
        description="[low, high] of the relative lift; null when undefined.",
    ),
]


class NudgeReportQuery(BaseModel):
    """`GET /v1/reports/nudges` parameters as given; the service parses the times."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    from_: str | None = Field(
        default=None,
        alias="from",
        description="Sessions that started at or after this time (ISO 8601). Default: 30 days ago.",
        json_schema_extra=_TIMESTAMP,
    )
    to: str | None = Field(
        default=None,
        description="Sessions that started before this time (ISO 8601). Default: now.",
        json_schema_extra=_TIMESTAMP,
    )


class TypeRowModel(BaseModel):
    """One nudge type's funnel. Rates divide by `shown` (0 when nothing was shown)."""

    type: NudgeType
    shown: int = Field(ge=0, description="Nudges of this type shown.")
    clicked: int = Field(ge=0, description="Shown nudges with at least one click.")
    dismissed: int = Field(ge=0, description="Shown nudges with at least one dismissal.")
    chat_opened: int = Field(ge=0, description="Shown nudges whose chat was opened.")
    click_rate: Rate
    dismiss_rate: Rate
    chat_open_rate: Rate
    sessions: int = Field(ge=0, description="Sessions where this type was shown.")
    conversions: int = Field(ge=0, description="Of those, the sessions that converted.")
    conversion_rate: Rate
    influenced_conversions: int = Field(
        ge=0, description="Nudges of this type that influenced a conversion."
    )


class ArmModel(BaseModel):
    sessions: int = Field(ge=0)
    conversions: int = Field(ge=0)
    conversion_rate: Rate


class SrmModel(BaseModel):
    """Sample-ratio mismatch: is the holdout's share of sessions what the setting says?"""

    expected_holdout_share: Rate
    observed_holdout_share: float | None = Field(description="null without experiment sessions.")
    p_value: float | None = Field(description="Chi-squared, 4 significant digits.")
    mismatch: bool = Field(description="p < 0.001: do not trust the lift until it is fixed.")


class ExperimentModel(BaseModel):
    """Sessions the engine decided a proactive nudge for: sent (treatment) or held out."""

    treatment: ArmModel
    holdout: ArmModel
    relative_lift: float | None = Field(
        description="CR(treatment) / CR(holdout) - 1; null without holdout conversions."
    )
    ci95: Interval
    ci95_always_valid: Interval
    srm: SrmModel
    mde: float | None = Field(
        description="The smallest relative lift detectable at 80% power with the data so far."
    )
    days_to_detect_10pct: int | None = Field(
        description="More days, at recent traffic, until a 10% lift is detectable."
    )


class NudgeReportData(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: Timestamp = Field(alias="from")
    to: Timestamp
    by_type: list[TypeRowModel] = Field(
        min_length=4,
        max_length=4,
        description="chat_bubble, toast, exit_modal, sticky_bar, in that order (zeros included).",
    )
    baseline: ArmModel = Field(description="Sessions with no nudge interaction.")
    experiment: ExperimentModel


# The spec's example, computed by the code that answers (so it can never drift from it).
EXAMPLE: dict[str, Any] = {
    "data": nudge_report(
        "2026-04-01T00:00:00Z",
        "2026-05-01T00:00:00Z",
        {
            NudgeType.CHAT_BUBBLE: TypeCounts(310, 41, 96, 38, 290, 22, 19),
            NudgeType.TOAST: TypeCounts(820, 66, 301, 0, 700, 35, 24),
            NudgeType.EXIT_MODAL: TypeCounts(120, 30, 50, 12, 118, 21, 17),
            NudgeType.STICKY_BAR: TypeCounts(95, 19, 28, 9, 95, 14, 11),
        },
        Arm(sessions=5400, conversions=97),
        ExperimentCounts(
            treatment=Arm(sessions=900, conversions=40),
            holdout=Arm(sessions=100, conversions=3),
            holdout_share=0.1,
            recent_daily_sessions=33.0,
        ),
    )
}


class NudgeReportResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    data: NudgeReportData
