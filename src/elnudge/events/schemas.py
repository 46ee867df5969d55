"""Request and response models of `POST /v1/events`, for the OpenAPI document, built from the
payload table (`payloads.py`) that validation uses, and from the settings that bound a batch.

Validation itself is `elnudge.events.validation`, which names the failing index and field;
these models describe exactly what it accepts (one envelope model per event type, keyed by
`event`). Two rules cannot be written in a static schema and are documented in words: an event
time must lie within the site's storage retention and a little (a setting) in the future, and a
nudge id belongs to the one session that showed it.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from elnudge.config import Settings
from elnudge.events.payloads import MAX_ID_LENGTH, MAX_URL_LENGTH, PAYLOADS, Payload, Text
from elnudge.events.validation import MAX_DATA_KEYS, URL_PATTERN
from elnudge.timestamps import TIMESTAMP_PATTERN, describe_seconds
from elnudge.vocabulary import ALIASES

_ID = Text(MAX_ID_LENGTH).annotation()


class _Data(BaseModel):
    """A payload: the listed members are checked, any others are kept as they are."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"maxProperties": MAX_DATA_KEYS})


@cache
def _data_model(payload: Payload) -> type[_Data]:
    if not payload.members:
        return _Data
    members: dict[str, Any] = {
        member.name: (
            (member.kind.annotation(), ...)
            if member.required
            else (member.kind.annotation() | None, None)
        )
        for member in payload.members
    }
    return create_model(payload.model, __base__=_Data, **members)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: _ID | None = Field(  # type: ignore[valid-type]
        default=None, description="Your id for the event; a repeated id is stored once."
    )
    session_id: _ID = Field(  # type: ignore[valid-type]
        description="The client's session key (e.g. `ses_…`)."
    )
    visitor_id: _ID | None = None  # type: ignore[valid-type]
    ts: str  # described per settings by `_envelope`, in this place of the document
    url: str = Field(
        max_length=MAX_URL_LENGTH,
        pattern=URL_PATTERN,
        description="An http(s) URL or a path; stored as path and query.",
        examples=["https://shop.example/products/ultra-stride-v2"],
    )


def _envelope(event_type: str, future_skew: str) -> type[BaseModel]:
    names = (event_type, *sorted(alias for alias, to in ALIASES.items() if to == event_type))
    data = _data_model(PAYLOADS[event_type])
    optional = not any(field.is_required() for field in data.model_fields.values())
    data_type: Any = (data | None) if optional else data
    event_literal: Any = Literal[names]
    return create_model(
        "".join(part.title() for part in event_type.split("_")) + "Event",
        __base__=_Envelope,
        event=(event_literal, Field(description="The event type.")),
        ts=(
            str,
            Field(
                pattern=TIMESTAMP_PATTERN,
                description="When it happened, ISO 8601, e.g. `2026-04-29T10:14:32.120Z`; within "
                f"the site's storage retention and at most {future_skew} in the future (a 400 "
                "otherwise).",
            ),
        ),
        data=(data_type, None) if optional else (data_type, ...),
    )


def event_list(settings: Settings, description: str | None = None) -> tuple[Any, Any]:
    """A batch's `events` member as these settings bound it: its type and its field."""
    future_skew = describe_seconds(settings.max_future_skew_seconds)
    envelopes = tuple(_envelope(name, future_skew) for name in PAYLOADS)
    envelope: Any = Annotated[Union[envelopes], Field(discriminator="event")]  # noqa: UP007
    field = Field(min_length=1, max_length=settings.max_batch_events, description=description)
    return list[envelope], field


def event_batch_model(settings: Settings) -> type[BaseModel]:
    """`EventBatch`: the body of `POST /v1/events` as these settings bound it."""
    return create_model(
        "EventBatch", __config__=ConfigDict(extra="forbid"), events=event_list(settings)
    )


class IngestResponse(BaseModel):
    accepted: int = Field(ge=0, description="Events stored by this request.")
    duplicates: int = Field(
        ge=0, description="Events skipped because their event_id was stored already."
    )
