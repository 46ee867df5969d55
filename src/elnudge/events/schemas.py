"""Request and response models of `POST /v1/events`, for the OpenAPI document. Validation
itself is `elnudge.events.validation`, which names the failing index and field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from elnudge.events.validation import EVENT_TYPES, MAX_ID_LENGTH, MAX_URL_LENGTH


class EventEnvelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_ID_LENGTH,
        description="Your id for the event; a repeated id is stored once.",
    )
    session_id: str = Field(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        description="The client's session key (e.g. `ses_…`).",
    )
    visitor_id: str | None = Field(default=None, min_length=1, max_length=MAX_ID_LENGTH)
    event: str = Field(
        description="Event type: " + ", ".join(EVENT_TYPES) + " (aliases CART_ADD, CART_REMOVE).",
        examples=["PAGE_VIEW"],
    )
    ts: str = Field(
        description="When it happened, ISO 8601.", examples=["2026-04-29T10:14:32.120Z"]
    )
    url: str = Field(
        max_length=MAX_URL_LENGTH, examples=["https://shop.example/products/ultra-stride-v2"]
    )
    data: dict[str, Any] = Field(
        default_factory=dict, description="The type's payload (see the docs)."
    )


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventEnvelope] = Field(min_length=1, max_length=1000)


class IngestResponse(BaseModel):
    accepted: int = Field(ge=0, description="Events stored by this request.")
    duplicates: int = Field(
        ge=0, description="Events skipped because their event_id was stored already."
    )
