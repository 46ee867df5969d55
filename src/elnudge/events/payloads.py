"""The one table of event payloads: for each event type, the members of `data` it requires or
allows and what each must be.

`validation.py` checks events against this table, and `schemas.py` builds the OpenAPI models
from it, so what the API accepts and what its document says can never drift apart. Each field
kind knows both how to check a value (raising `InvalidEvent` that names the field) and how to
describe itself to pydantic.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

from pydantic import Field as Schema

from elnudge.vocabulary import EventType, NudgeType

MAX_ID_LENGTH = 128
MAX_URL_LENGTH = 2048
MAX_TEXT_LENGTH = 512
MIN_IDLE_SECONDS = 30  # the SDK reports an idle spell once it has lasted this long
CHECKOUT_STAGES = ("cart", "checkout", "payment", "review")
SCROLL_DEPTHS = (25, 50, 75, 100)
NUDGE_KINDS = tuple(kind.value for kind in NudgeType)
CURRENCY_PATTERN = "^[A-Z]{3}$"
NUDGE_ID_PATTERN = "^nudg_[0-9A-Za-z]{1,59}$"
# Control characters (C0, DEL, C1) are never part of a URL: a CR/LF could split a log line or a
# header wherever the URL is shown again.
URL_CHAR = "[^\\x00-\\x1f\\x7f-\\x9f]"
REFERRER_PATTERN = f"^{URL_CHAR}*$"
MAX_INTEGER = 2**63 - 1  # whole numbers in `data` are 64-bit, as stored JSON can hold them
MAX_STOCK = 2**31 - 1  # a product's stock is also kept in the catalogue's 32-bit column
_NO_NUL = "^[^\\x00]*$"
_NON_EMPTY_NO_NUL = "^[^\\x00]+$"


class InvalidEvent(ValueError):
    """One field of one envelope is wrong; `field` is its path inside the envelope."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Kind(Protocol):
    def check(self, value: Any, field: str) -> Any:
        """The value, if it is one of this kind; InvalidEvent naming `field` if not."""

    def annotation(self) -> Any:
        """The type pydantic documents for it."""


@dataclass(frozen=True, slots=True)
class Text:
    """A string without NUL characters, at most `limit` long, empty only when `empty`;
    `pattern` (a regex the whole string must match) replaces the NUL rule when given."""

    limit: int = MAX_TEXT_LENGTH
    empty: bool = False
    pattern: str | None = None
    problem: str = "must not contain control characters"

    def check(self, value: Any, field: str) -> Any:
        if not isinstance(value, str):
            raise InvalidEvent(field, f"{field} must be a string.")
        if "\x00" in value:
            raise InvalidEvent(field, f"{field} must not contain NUL characters.")
        if not value and not self.empty:
            raise InvalidEvent(field, f"{field} must not be empty.")
        if len(value) > self.limit:
            raise InvalidEvent(field, f"{field} is longer than {self.limit} characters.")
        if self.pattern is not None and not _compiled(self.pattern).fullmatch(value):
            raise InvalidEvent(field, f"{field} {self.problem}.")
        return value

    def annotation(self) -> Any:
        pattern = self.pattern or (_NO_NUL if self.empty else _NON_EMPTY_NO_NUL)
        limits = Schema(min_length=0 if self.empty else 1, max_length=self.limit, pattern=pattern)
        return Annotated[str, limits]


@dataclass(frozen=True, slots=True)
class Number:
    """A finite JSON number (not a boolean), at least `minimum`."""

    minimum: float = 0

    def check(self, value: Any, field: str) -> Any:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InvalidEvent(field, f"{field} must be a number.")
        if value < self.minimum:
            raise InvalidEvent(field, f"{field} must be at least {self.minimum:g}.")
        return value

    def annotation(self) -> Any:
        return Annotated[float, Schema(ge=self.minimum, allow_inf_nan=False)]


@dataclass(frozen=True, slots=True)
class Integer:
    """A whole number, at least `minimum`. JSON does not tell 2 from 2.0: an integral number is
    an integer, as in JSON Schema."""

    minimum: int = 0
    description: str | None = None
    maximum: int = MAX_INTEGER

    def check(self, value: Any, field: str) -> Any:
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidEvent(field, f"{field} must be an integer.")
        if value < self.minimum:
            raise InvalidEvent(field, f"{field} must be at least {self.minimum}.")
        if value > self.maximum:
            raise InvalidEvent(field, f"{field} must be at most {self.maximum}.")
        return value

    def annotation(self) -> Any:
        limits = Schema(ge=self.minimum, le=self.maximum, description=self.description)
        return Annotated[int, limits]


@dataclass(frozen=True, slots=True)
class Choice:
    """One of a few values."""

    choices: tuple[Any, ...]

    def check(self, value: Any, field: str) -> Any:
        if isinstance(value, bool) or value not in self.choices:
            listed = ", ".join(str(choice) for choice in self.choices)
            raise InvalidEvent(field, f"{field} must be one of {listed}.")
        return value

    def annotation(self) -> Any:
        return Literal[self.choices]


@dataclass(frozen=True, slots=True)
class Pattern:
    """A string matching `pattern`, explained by `expected` when it does not."""

    pattern: str
    expected: str

    def check(self, value: Any, field: str) -> Any:
        if not isinstance(value, str) or not _compiled(self.pattern).fullmatch(value):
            raise InvalidEvent(field, f"{field} must be {self.expected}.")
        return value

    def annotation(self) -> Any:
        return Annotated[str, Schema(pattern=self.pattern)]


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern)
    return compiled


@dataclass(frozen=True, slots=True)
class Member:
    """One member of `data`: its name, its kind, and whether it must be there (non-null)."""

    name: str
    kind: Kind
    required: bool = True
    path: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", f"data.{self.name}")


@dataclass(frozen=True, slots=True)
class Payload:
    """What `data` holds for some event types; `model` names it in the OpenAPI document."""

    model: str
    members: tuple[Member, ...] = ()


CURRENCY = Pattern(CURRENCY_PATTERN, "an ISO 4217 code such as 'USD'")
# Our own nudges carry ULIDs, but any `nudg_` id that fits is accepted, like the seed's.
NUDGE_ID = Pattern(NUDGE_ID_PATTERN, "a nudge id: 'nudg_' and up to 59 letters or digits")
OPTIONAL_TEXT = Text(empty=True)

_CART_CHANGE = Payload(
    "CartChangeData",
    (
        Member("product_id", Text()),
        Member("product_name", OPTIONAL_TEXT, required=False),
        Member("price", Number()),
        Member("currency", CURRENCY),
        Member("quantity", Integer(minimum=1)),
    ),
)
_NUDGE_REACTION = Payload("NudgeReactionData", (Member("nudge_id", NUDGE_ID),))

PAYLOADS: dict[str, Payload] = {
    EventType.PAGE_VIEW: Payload(
        "PageViewData",
        (
            Member(
                "referrer",
                Text(MAX_URL_LENGTH, empty=True, pattern=REFERRER_PATTERN),
                required=False,
            ),
            Member("title", OPTIONAL_TEXT, required=False),
        ),
    ),
    EventType.PRODUCT_VIEW: Payload(
        "ProductViewData",
        (
            Member("product_id", Text()),
            Member("product_name", OPTIONAL_TEXT, required=False),
            Member("price", Number(), required=False),
            Member("currency", CURRENCY, required=False),
            Member(
                "stock",
                # Kept in the catalogue (products.stock, a 32-bit column).
                Integer(description="Units left; 5 or fewer can show a toast.", maximum=MAX_STOCK),
                required=False,
            ),
        ),
    ),
    EventType.ADD_TO_CART: _CART_CHANGE,
    EventType.REMOVE_FROM_CART: _CART_CHANGE,
    EventType.CHECKOUT_STAGE: Payload(
        "CheckoutStageData", (Member("stage", Choice(CHECKOUT_STAGES)),)
    ),
    EventType.PURCHASE: Payload(
        "PurchaseData",
        (
            Member("value", Number()),
            Member("currency", CURRENCY),
            Member("item_count", Integer(minimum=1)),
            Member("order_id", Text(MAX_ID_LENGTH), required=False),
        ),
    ),
    EventType.SCROLL_DEPTH: Payload("ScrollDepthData", (Member("depth", Choice(SCROLL_DEPTHS)),)),
    EventType.ELEMENT_HOVER: Payload(
        "ElementHoverData", (Member("selector", Text()), Member("duration_ms", Integer()))
    ),
    EventType.CLICK: Payload(
        "ClickData",
        (
            Member("tag", Text(64)),
            Member("classes", OPTIONAL_TEXT, required=False),
            Member("text", OPTIONAL_TEXT, required=False),
        ),
    ),
    EventType.EXIT_INTENT: Payload("_Data"),
    EventType.IDLE: Payload(
        "IdleData",
        (
            Member(
                "seconds",
                Integer(minimum=MIN_IDLE_SECONDS, description="How long the page was idle."),
            ),
        ),
    ),
    EventType.CUSTOM: Payload("CustomData", (Member("name", Text(MAX_ID_LENGTH)),)),
    EventType.NUDGE_SHOWN: Payload(
        "NudgeShownData", (Member("nudge_id", NUDGE_ID), Member("type", Choice(NUDGE_KINDS)))
    ),
    EventType.NUDGE_CLICKED: _NUDGE_REACTION,
    EventType.NUDGE_DISMISSED: _NUDGE_REACTION,
    EventType.NUDGE_CHAT_OPENED: _NUDGE_REACTION,
}
EVENT_TYPES = tuple(PAYLOADS)


def check_payload(payload: Payload, data: dict[str, Any]) -> None:
    """Every member the payload names, checked; other members are kept as they are."""
    for member in payload.members:
        value = data.get(member.name)
        if value is None:
            if member.required:
                message = f"{member.path} is required for this event type."
                raise InvalidEvent(member.path, message)
            continue
        member.kind.check(value, member.path)
