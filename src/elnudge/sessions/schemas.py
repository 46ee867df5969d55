"""Models of the Sessions API: the list's query string (parsed and documented from one
model), and the responses, for the OpenAPI document (responses are built as plain dicts and
serialised with orjson; tests check they match these models)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

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


_TIMESTAMP: dict[str, JsonValue] = {"pattern": TIMESTAMP_PATTERN}
CURSOR_PATTERN = "^[A-Za-z0-9+/ ]+={0,2}$"  # standard base64 ('+' may arrive as a space)


class ListQuery(BaseModel):
    """`GET /v1/sessions` parameters as given. The service parses `from`, `to` and `cursor`
    itself, to answer in the API's own words; the patterns here are documentation."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    from_: str | None = Field(
        default=None,
        alias="from",
        description="Sessions starting at or after this time (ISO 8601). Default: 30 days ago.",
        json_schema_extra=_TIMESTAMP,
    )
    to: str | None = Field(
        default=None,
        description="Sessions starting before this time (ISO 8601). Default: now.",
        json_schema_extra=_TIMESTAMP,
    )
    limit: int = Field(default=50, ge=1, le=200, description="Sessions per page, 1–200.")
    cursor: str | None = Field(
        default=None,
        description="`next_cursor` from a previous response: continues that query. It is "
        "signed: any other value, even well-formed base64, is a 400 naming `cursor`.",
        json_schema_extra={"pattern": CURSOR_PATTERN},
    )


class SessionObject(BaseModel):
    id: str = Field(
        description="Unique session identifier.", examples=["sess_01HY8QVZK3MN2PXRT5GW4JCBD"]
    )
    started_at: Timestamp
    ended_at: Timestamp
    page_count: int = Field(ge=0, description="Number of distinct pages visited.")
    intent_score: int = Field(ge=0, le=100, description="Final intent score (0–100).")
    converted: bool = Field(description="True if a purchase was completed in this session.")
    nudge_count: int = Field(ge=0, description="Number of nudges displayed during the session.")


class SessionList(BaseModel):
    data: list[SessionObject]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last."
    )
    has_more: bool


class SessionEvent(BaseModel):
    type: str = Field(examples=["PAGE_VIEW"])
    url: str = Field(
        description="Path and query of the page.", examples=["/products/ultra-stride-v2"]
    )
    occurred_at: Timestamp


class SessionNudge(BaseModel):
    nudge_id: str = Field(examples=["nudg_01HY8QWK9LMNO2PQR3ST4UV5WX"])
    type: Literal[tuple(NudgeType)]  # type: ignore[valid-type]
    shown_at: Timestamp
    outcome: Literal[tuple(Outcome)]  # type: ignore[valid-type]
    influenced_conversion: bool


class SessionDetail(SessionObject):
    events: list[SessionEvent] = Field(description="Non-nudge events, oldest first.")
    nudges: list[SessionNudge] = Field(description="Nudges shown, newest first.")


class SessionDetailResponse(BaseModel):
    data: SessionDetail
