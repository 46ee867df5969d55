"""Request and response models of `POST /v1/relay`, for the OpenAPI document. The body is
read by hand (`elnudge.relay.service`), so that each event can fail on its own."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, create_model

from elnudge.config import Settings
from elnudge.nudges.schemas import OfferedNudge, ProposedNudge
from elnudge.timestamps import TIMESTAMP_PATTERN


def relay_batch_model(settings: Settings) -> type[BaseModel]:
    """`RelayBatch` with the batch size these settings allow."""
    return create_model(
        "RelayBatch",
        __base__=RelayBatch,
        __doc__=RelayBatch.__doc__,
        events=(list[Any], Field(max_length=settings.max_batch_events, description=_EVENTS)),
    )


_EVENTS = (
    "Event envelopes, as for POST /v1/events (see EventBatch). Invalid ones are dropped and "
    "reported in `errors`; the others are stored."
)


class RelayBatch(BaseModel):
    """What the SDK sends, as JSON or as `text/plain` (what `navigator.sendBeacon` sends)."""

    site_key: str = Field(
        description="The site's public key, `pk_live_…` or `pk_test_…` (never a secret key).",
        examples=["pk_live_…"],
    )
    sent_at: Annotated[str, Field(pattern=TIMESTAMP_PATTERN)] | float | None = Field(
        default=None,
        description="The client's clock when it sent this request (ISO 8601 or epoch ms). "
        "Event times are corrected with it: time = arrival - (sent_at - ts).",
        examples=["2026-04-29T10:14:35.000Z"],
    )
    # Best effort per event: any item is accepted here and, if it is not a valid event envelope
    # (the items of POST /v1/events), dropped and reported in `errors`, not refused with a 400.
    events: list[Any] = Field(description=_EVENTS)


class RelayEventError(BaseModel):
    index: int = Field(ge=0, description="The event's position in `events`.")
    param: str = Field(description="The failing field, e.g. `events[3].data.price`.")
    message: str


class RelayResponse(BaseModel):
    accepted: int = Field(ge=0, description="Events stored by this request.")
    duplicates: int = Field(
        ge=0, description="Events skipped because their event_id was stored already."
    )
    invalid: int = Field(ge=0, description="Events dropped as invalid.")
    errors: list[RelayEventError] = Field(
        description="Why events were dropped, by index (at most the first 10)."
    )
    nudge: OfferedNudge | None = Field(
        description="The nudge engine's decision for the session of the request's last event: "
        "what to draw now, or null."
    )
    test_decision: ProposedNudge | None = Field(
        default=None,
        description="With a pk_test_ key only: what live mode would have drawn (nothing is).",
    )
