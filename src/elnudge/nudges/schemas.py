"""Models of the nudges area for the OpenAPI document: the nudge the widget draws (in the
relay's answer and in a preview), the list of shown nudges, and the preview. Responses are built
as plain dicts (`decisions.proposal_json`, `service.nudge_object`); tests check they match."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model

from elnudge.config import Settings
from elnudge.engine import Reason, Rule, ToastPosition
from elnudge.events.schemas import event_list
from elnudge.timestamps import TIMESTAMP_PATTERN
from elnudge.vocabulary import NudgeType, Outcome

Timestamp = Annotated[
    str,
    Field(
        description="ISO 8601, UTC, second precision.",
        examples=["2026-04-29T10:14:32Z"],
        json_schema_extra={"format": "date-time"},
    ),
]


class ProposedNudge(BaseModel):
    """What the widget needs to draw a nudge the engine decided on."""

    type: NudgeType
    rule: Rule = Field(description="The trigger that fired.")
    message: str
    cta: str = Field(description="The call to action's label.")
    agent: str = Field(description="The chat agent's name.")
    position: ToastPosition
    opening_message: str = Field(description="The chat panel's first message.")


class OfferedNudge(ProposedNudge):
    nudge_id: str = Field(
        description="The nudge's id: report NUDGE_SHOWN with it when drawn.",
        examples=["nudg_01HY8QWK9LMNO2PQR3ST4UV5WX"],
    )


class NudgeObject(BaseModel):
    id: str = Field(examples=["nudg_01HY8QWK9LMNO2PQR3ST4UV5WX"])
    session_id: str = Field(examples=["sess_01HY8QVZK3MN2PXRT5GW4JCBD"])
    type: NudgeType
    shown_at: Timestamp
    outcome: Outcome
    influenced_conversion: bool


class NudgeList(BaseModel):
    data: list[NudgeObject]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last."
    )
    has_more: bool


_TIMESTAMP: dict[str, Any] = {"pattern": TIMESTAMP_PATTERN}
CURSOR_PATTERN = "^[A-Za-z0-9+/ ]+={0,2}$"  # standard base64 ('+' may arrive as a space)


class NudgeListQuery(BaseModel):
    """`GET /v1/nudges` parameters as given; the service parses the times and the cursor."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    from_: str | None = Field(
        default=None,
        alias="from",
        description="Nudges shown at or after this time (ISO 8601). Default: 30 days ago.",
        json_schema_extra=_TIMESTAMP,
    )
    to: str | None = Field(
        default=None,
        description="Nudges shown before this time (ISO 8601). Default: now.",
        json_schema_extra=_TIMESTAMP,
    )
    session_id: str | None = Field(default=None, description="Only this session's nudges.")
    type: NudgeType | None = Field(default=None, description="Only nudges of this type.")
    limit: int = Field(default=50, ge=1, le=200, description="Nudges per page, 1–200.")
    cursor: str | None = Field(
        default=None,
        description="`next_cursor` from a previous response: continues that query (its window "
        "and filters). It is signed: any other value is a 400 naming `cursor`.",
        json_schema_extra={"pattern": CURSOR_PATTERN},
    )


class Preview(BaseModel):
    nudge: ProposedNudge | None = Field(
        description="What the widget would draw in live mode now, or null."
    )
    rule: Rule | None = Field(
        description="The rule that fired (also when its nudge is withheld), or null."
    )
    reasons: list[Reason] = Field(description="Why no nudge would be drawn; empty when one would.")


class PreviewResponse(BaseModel):
    data: Preview


class StoredSessionPreview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(description="A stored session, as it stands now.")


def preview_request_model(settings: Settings) -> type[BaseModel]:
    """`PreviewRequest`: a stored session's id, or a hypothetical session's events (envelopes
    as for POST /v1/events, as these settings bound them)."""
    events = event_list(
        settings, "Event envelopes as for POST /v1/events: a session that has just happened."
    )
    visitor = Field(default=None, min_length=1, max_length=128, description="Whose session.")
    hypothetical = create_model(
        "HypotheticalPreview",
        __config__=ConfigDict(extra="forbid"),
        events=events,
        visitor_id=(str | None, visitor),
    )
    return create_model(
        "PreviewRequest",
        __base__=RootModel[StoredSessionPreview | hypothetical],
        __doc__="A stored session's id, or a hypothetical session's events.",
    )
