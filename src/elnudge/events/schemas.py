"""Request and response models of `POST /v1/events`, for the OpenAPI document. Validation
itself is `elnudge.events.validation`, which names the failing index and field; these models
describe exactly what it accepts (one envelope model per event type, keyed by `event`).

Two rules cannot be written in a static schema and are documented in words: an event time must
lie within the site's storage retention and at most 5 minutes in the future, and a nudge id
belongs to the one session that showed it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from elnudge.events.validation import (
    CHECKOUT_STAGES,
    CURRENCY_PATTERN,
    MAX_DATA_KEYS,
    MAX_ID_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_URL_LENGTH,
    MIN_IDLE_SECONDS,
    NUDGE_ID_PATTERN,
    NUDGE_KINDS,
    REFERRER_PATTERN,
    SCROLL_DEPTHS,
    URL_PATTERN,
)
from elnudge.timestamps import TIMESTAMP_PATTERN
from elnudge.vocabulary import EventType

_NO_NUL = "^[^\\x00]*$"
_NON_EMPTY_NO_NUL = "^[^\\x00]+$"


def _text(limit: int = MAX_TEXT_LENGTH, *, empty: bool = False) -> Any:
    return Field(
        min_length=0 if empty else 1,
        max_length=limit,
        pattern=_NO_NUL if empty else _NON_EMPTY_NO_NUL,
    )


Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=1)]
NudgeId = Annotated[str, Field(pattern=NUDGE_ID_PATTERN)]
Currency = Annotated[str, Field(pattern=CURRENCY_PATTERN)]


class _Data(BaseModel):
    """A payload: the listed members are checked, any others are kept as they are."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"maxProperties": MAX_DATA_KEYS})


class PageViewData(_Data):
    referrer: Annotated[str, Field(max_length=MAX_URL_LENGTH, pattern=REFERRER_PATTERN)] | None = (
        None
    )
    title: Annotated[str, _text(empty=True)] | None = None


class ProductViewData(_Data):
    product_id: Annotated[str, _text()]
    product_name: Annotated[str, _text(empty=True)] | None = None
    price: Money | None = None
    currency: Currency | None = None
    stock: (
        Annotated[int, Field(ge=0, description="Units left; 5 or fewer can show a toast.")] | None
    ) = None


class CartChangeData(_Data):
    product_id: Annotated[str, _text()]
    product_name: Annotated[str, _text(empty=True)] | None = None
    price: Money
    currency: Currency
    quantity: Count


class CheckoutStageData(_Data):
    stage: Literal[CHECKOUT_STAGES]  # type: ignore[valid-type]


class PurchaseData(_Data):
    value: Money
    currency: Currency
    item_count: Count
    order_id: Annotated[str, _text(MAX_ID_LENGTH)] | None = None


class ScrollDepthData(_Data):
    depth: Literal[SCROLL_DEPTHS]  # type: ignore[valid-type]


class ElementHoverData(_Data):
    selector: Annotated[str, _text()]
    duration_ms: Annotated[int, Field(ge=0)]


class ClickData(_Data):
    tag: Annotated[str, _text(64)]
    classes: Annotated[str, _text(empty=True)] | None = None
    text: Annotated[str, _text(empty=True)] | None = None


class IdleData(_Data):
    seconds: Annotated[int, Field(ge=MIN_IDLE_SECONDS, description="How long the page was idle.")]


class CustomData(_Data):
    name: Annotated[str, _text(MAX_ID_LENGTH)]


class NudgeShownData(_Data):
    nudge_id: NudgeId
    type: Literal[NUDGE_KINDS]  # type: ignore[valid-type]


class NudgeReactionData(_Data):
    nudge_id: NudgeId


# Event type -> (its aliases, the model of its payload).
_PAYLOADS: dict[str, tuple[tuple[str, ...], type[_Data]]] = {
    EventType.PAGE_VIEW: ((), PageViewData),
    EventType.PRODUCT_VIEW: ((), ProductViewData),
    EventType.ADD_TO_CART: (("CART_ADD",), CartChangeData),
    EventType.REMOVE_FROM_CART: (("CART_REMOVE",), CartChangeData),
    EventType.CHECKOUT_STAGE: ((), CheckoutStageData),
    EventType.PURCHASE: ((), PurchaseData),
    EventType.SCROLL_DEPTH: ((), ScrollDepthData),
    EventType.ELEMENT_HOVER: ((), ElementHoverData),
    EventType.CLICK: ((), ClickData),
    EventType.EXIT_INTENT: ((), _Data),
    EventType.IDLE: ((), IdleData),
    EventType.CUSTOM: ((), CustomData),
    EventType.NUDGE_SHOWN: ((), NudgeShownData),
    EventType.NUDGE_CLICKED: ((), NudgeReactionData),
    EventType.NUDGE_DISMISSED: ((), NudgeReactionData),
    EventType.NUDGE_CHAT_OPENED: ((), NudgeReactionData),
}


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: Annotated[str, _text(MAX_ID_LENGTH)] | None = Field(
        default=None, description="Your id for the event; a repeated id is stored once."
    )
    session_id: Annotated[str, _text(MAX_ID_LENGTH)] = Field(
        description="The client's session key (e.g. `ses_…`)."
    )
    visitor_id: Annotated[str, _text(MAX_ID_LENGTH)] | None = None
    ts: str = Field(
        pattern=TIMESTAMP_PATTERN,
        description="When it happened, ISO 8601, e.g. `2026-04-29T10:14:32.120Z`; within the "
        "site's storage retention and at most 5 minutes in the future (a 400 otherwise).",
    )
    url: str = Field(
        max_length=MAX_URL_LENGTH,
        pattern=URL_PATTERN,
        description="An http(s) URL or a path; stored as path and query.",
        examples=["https://shop.example/products/ultra-stride-v2"],
    )


def _envelope(event_type: str, aliases: tuple[str, ...], data: type[_Data]) -> type[BaseModel]:
    names = (event_type, *aliases)
    optional = not any(field.is_required() for field in data.model_fields.values())
    data_type: Any = (data | None) if optional else data
    event_literal: Any = Literal[names]
    return create_model(
        "".join(part.title() for part in event_type.split("_")) + "Event",
        __base__=_Envelope,
        event=(event_literal, Field(description="The event type.")),
        data=(data_type, None) if optional else (data_type, ...),
    )


ENVELOPES = tuple(_envelope(name, *spec) for name, spec in _PAYLOADS.items())
EventEnvelope = Annotated[Union[ENVELOPES], Field(discriminator="event")]  # type: ignore[valid-type]  # noqa: UP007


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventEnvelope] = Field(min_length=1, max_length=1000)


class IngestResponse(BaseModel):
    accepted: int = Field(ge=0, description="Events stored by this request.")
    duplicates: int = Field(
        ge=0, description="Events skipped because their event_id was stored already."
    )
