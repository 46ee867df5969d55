"""Validating event envelopes (PRODUCT.md §6) into canonical `Event`s.

Hand-written rather than a Pydantic model: ingestion runs this for every event, and the errors
must name the exact field (`events[3].data.price`) in the API's own words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from elnudge.timestamps import parse_timestamp
from elnudge.vocabulary import ALIASES, Event, EventType, NudgeType

MAX_ID_LENGTH = 128
MAX_URL_LENGTH = 2048
MAX_TEXT_LENGTH = 512
MAX_DATA_KEYS = 50  # members of `data`, and of every object nested in it
MAX_DATA_DEPTH = 32  # levels of objects and arrays in `data` (`data` itself is level 1)
MAX_DATA_ITEMS = 100  # elements of any array in `data`
MAX_DATA_STRING = 2048  # characters of any string (or member name) in `data`
ENVELOPE_KEYS = frozenset({"event_id", "session_id", "visitor_id", "event", "ts", "url", "data"})
NUDGE_KINDS = tuple(kind.value for kind in NudgeType)
CHECKOUT_STAGES = ("cart", "checkout", "payment", "review")
SCROLL_DEPTHS = (25, 50, 75, 100)
MIN_IDLE_SECONDS = 30  # the SDK reports an idle spell once it has lasted this long
# Published in the OpenAPI document as they are (events/schemas.py), so both say the same.
CURRENCY_PATTERN = "^[A-Z]{3}$"
NUDGE_ID_PATTERN = "^nudg_[0-9A-Za-z]{1,59}$"
_CURRENCY = re.compile(CURRENCY_PATTERN)
_NUDGE_ID = re.compile(NUDGE_ID_PATTERN)
# What `url` may be: an http(s) URL with a plain ASCII host, or a path (not `//host`). Published
# as the OpenAPI pattern, so the document and the check agree; it also keeps out everything
# urlsplit would choke on or silently rewrite (leading blanks, odd hosts, brackets).
# Control characters (C0, DEL, C1) are never part of a URL: a CR/LF could split a log line or a
# header wherever the URL is shown again.
_URL_CHAR = "[^\\x00-\\x1f\\x7f-\\x9f]"
URL_PATTERN = (
    f"^(?:[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9._~%!$&'()*+,;=:@-]+(?:[/?#]{_URL_CHAR}*)?"
    f"|/(?:[^/\\x00-\\x1f\\x7f-\\x9f]{_URL_CHAR}*)?)$"
)
REFERRER_PATTERN = f"^{_URL_CHAR}*$"
_URL = re.compile(URL_PATTERN)
_REFERRER = re.compile(REFERRER_PATTERN)


class InvalidEvent(ValueError):
    """One field of one envelope is wrong; `field` is its path inside the envelope."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class ValidEvent:
    """A validated envelope: the canonical event plus who sent it."""

    event: Event
    client_key: str
    client_event_id: str | None
    visitor_id: str | None


@dataclass(frozen=True, slots=True)
class TimeBounds:
    """Accepted event times: no older than storage retention, at most a little in the future."""

    oldest_ms: int
    newest_ms: int


# --- field checks: each returns the cleaned value or raises InvalidEvent -----------------------


def _text(
    value: Any,
    field: str,
    *,
    required: bool = True,
    limit: int = MAX_TEXT_LENGTH,
    allow_empty: bool = False,
) -> Any:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidEvent(field, f"{field} must be a string.")
    if "\x00" in value:
        raise InvalidEvent(field, f"{field} must not contain NUL characters.")
    if not value and not allow_empty:
        raise InvalidEvent(field, f"{field} must not be empty.")
    if len(value) > limit:
        raise InvalidEvent(field, f"{field} is longer than {limit} characters.")
    return value


def _number(value: Any, field: str, *, minimum: float = 0) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidEvent(field, f"{field} must be a number.")
    if value < minimum:
        raise InvalidEvent(field, f"{field} must be at least {minimum:g}.")
    return value


def _integer(value: Any, field: str, *, minimum: int = 0) -> Any:
    # JSON does not tell 2 from 2.0: an integral number is an integer (as in JSON Schema).
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidEvent(field, f"{field} must be an integer.")
    if value < minimum:
        raise InvalidEvent(field, f"{field} must be at least {minimum}.")
    return value


def _choice(value: Any, field: str, choices: tuple[Any, ...]) -> Any:
    if isinstance(value, bool) or value not in choices:
        listed = ", ".join(str(choice) for choice in choices)
        raise InvalidEvent(field, f"{field} must be one of {listed}.")
    return value


def _currency(value: Any, field: str) -> Any:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise InvalidEvent(field, f"{field} must be an ISO 4217 code such as 'USD'.")
    return value


def _nudge_id(value: Any, field: str) -> Any:
    # Our own nudges carry ULIDs, but any `nudg_` id that fits is accepted, like the seed's.
    if not isinstance(value, str) or not _NUDGE_ID.fullmatch(value):
        raise InvalidEvent(
            field, f"{field} must be a nudge id: 'nudg_' and up to 59 letters or digits."
        )
    return value


# --- payloads per event type ------------------------------------------------------------------

PayloadCheck = Callable[[Mapping[str, Any]], None]


def _require(data: Mapping[str, Any], key: str) -> Any:
    if key not in data or data[key] is None:
        raise InvalidEvent(f"data.{key}", f"data.{key} is required for this event type.")
    return data[key]


def _page_view(data: Mapping[str, Any]) -> None:
    referrer = _text(
        data.get("referrer"),
        "data.referrer",
        required=False,
        limit=MAX_URL_LENGTH,
        allow_empty=True,
    )
    if referrer is not None and not _REFERRER.fullmatch(referrer):
        raise InvalidEvent("data.referrer", "data.referrer must not contain control characters.")
    _text(data.get("title"), "data.title", required=False, allow_empty=True)


def _product_view(data: Mapping[str, Any]) -> None:
    _text(_require(data, "product_id"), "data.product_id")
    _text(data.get("product_name"), "data.product_name", required=False, allow_empty=True)
    if data.get("price") is not None:
        _number(data["price"], "data.price")
    if data.get("currency") is not None:
        _currency(data["currency"], "data.currency")
    if data.get("stock") is not None:
        _integer(data["stock"], "data.stock")


def _cart_change(data: Mapping[str, Any]) -> None:
    _text(_require(data, "product_id"), "data.product_id")
    _text(data.get("product_name"), "data.product_name", required=False, allow_empty=True)
    _number(_require(data, "price"), "data.price")
    _currency(_require(data, "currency"), "data.currency")
    _integer(_require(data, "quantity"), "data.quantity", minimum=1)


def _checkout_stage(data: Mapping[str, Any]) -> None:
    _choice(_require(data, "stage"), "data.stage", CHECKOUT_STAGES)


def _purchase(data: Mapping[str, Any]) -> None:
    _number(_require(data, "value"), "data.value")
    _currency(_require(data, "currency"), "data.currency")
    _integer(_require(data, "item_count"), "data.item_count", minimum=1)
    _text(data.get("order_id"), "data.order_id", required=False, limit=MAX_ID_LENGTH)


def _scroll_depth(data: Mapping[str, Any]) -> None:
    _choice(_require(data, "depth"), "data.depth", SCROLL_DEPTHS)


def _element_hover(data: Mapping[str, Any]) -> None:
    _text(_require(data, "selector"), "data.selector")
    _integer(_require(data, "duration_ms"), "data.duration_ms")


def _click(data: Mapping[str, Any]) -> None:
    _text(_require(data, "tag"), "data.tag", limit=64)
    _text(data.get("classes"), "data.classes", required=False, allow_empty=True)
    _text(data.get("text"), "data.text", required=False, allow_empty=True)


def _idle(data: Mapping[str, Any]) -> None:
    _integer(_require(data, "seconds"), "data.seconds", minimum=MIN_IDLE_SECONDS)


def _custom(data: Mapping[str, Any]) -> None:
    _text(_require(data, "name"), "data.name", limit=MAX_ID_LENGTH)


def _nudge_shown(data: Mapping[str, Any]) -> None:
    _nudge_id(_require(data, "nudge_id"), "data.nudge_id")
    _choice(_require(data, "type"), "data.type", NUDGE_KINDS)


def _nudge_reaction(data: Mapping[str, Any]) -> None:
    _nudge_id(_require(data, "nudge_id"), "data.nudge_id")


def _nothing(data: Mapping[str, Any]) -> None:
    return None


PAYLOADS: dict[str, PayloadCheck] = {
    EventType.PAGE_VIEW: _page_view,
    EventType.PRODUCT_VIEW: _product_view,
    EventType.ADD_TO_CART: _cart_change,
    EventType.REMOVE_FROM_CART: _cart_change,
    EventType.CHECKOUT_STAGE: _checkout_stage,
    EventType.PURCHASE: _purchase,
    EventType.SCROLL_DEPTH: _scroll_depth,
    EventType.ELEMENT_HOVER: _element_hover,
    EventType.CLICK: _click,
    EventType.EXIT_INTENT: _nothing,
    EventType.IDLE: _idle,
    EventType.CUSTOM: _custom,
    EventType.NUDGE_SHOWN: _nudge_shown,
    EventType.NUDGE_CLICKED: _nudge_reaction,
    EventType.NUDGE_DISMISSED: _nudge_reaction,
    EventType.NUDGE_CHAT_OPENED: _nudge_reaction,
}
EVENT_TYPES = tuple(PAYLOADS)


# --- the envelope -----------------------------------------------------------------------------


def path_and_query(url: Any) -> str:
    """The URL as the API shows it: path plus query, without scheme, host or fragment."""
    text = _text(url, "url", limit=MAX_URL_LENGTH)
    if not _URL.fullmatch(text):
        raise InvalidEvent("url", "url must be an http(s) URL or a path starting with '/'.")
    parts = urlsplit(text)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _event_type(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidEvent("event", "event must be a string.")
    canonical = ALIASES.get(value, value)
    if canonical not in PAYLOADS:
        raise InvalidEvent("event", f"Unknown event type {value!r}.")
    return canonical


def _occurred_at(value: Any, bounds: TimeBounds, clock_offset_ms: int) -> int:
    if not isinstance(value, str):
        raise InvalidEvent("ts", "ts must be an ISO 8601 timestamp string.")
    try:
        occurred_at = parse_timestamp(value) + clock_offset_ms
    except ValueError as error:
        raise InvalidEvent("ts", "ts must be an ISO 8601 timestamp.") from error
    if occurred_at < 0:
        raise InvalidEvent("ts", "ts must not be before 1970-01-01T00:00:00Z.")
    if occurred_at > bounds.newest_ms:
        raise InvalidEvent("ts", "ts is more than 5 minutes in the future.")
    if occurred_at < bounds.oldest_ms:
        raise InvalidEvent("ts", "ts is older than the site's storage retention.")
    return occurred_at


def _check_data(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidEvent("data", "data must be an object.")
    _check_nested(value, "data", 1)
    return value


def _check_nested(value: Any, field: str, depth: int) -> None:
    """Bound what `data` may hold anywhere inside it: depth, members, items, string lengths.

    Recursion is safe: it stops at MAX_DATA_DEPTH levels."""
    if isinstance(value, str):
        if len(value) > MAX_DATA_STRING:
            raise InvalidEvent(field, f"{field} is longer than {MAX_DATA_STRING} characters.")
    elif isinstance(value, dict | list):
        if depth > MAX_DATA_DEPTH:
            message = f"data nests deeper than {MAX_DATA_DEPTH} levels at {field}."
            raise InvalidEvent(field, message)
        for child, child_field in _children(value, field):
            _check_nested(child, child_field, depth + 1)


def _children(value: dict[str, Any] | list[Any], field: str) -> Iterator[tuple[Any, str]]:
    """The members of an object or the items of an array, each with its field name."""
    if isinstance(value, list):
        if len(value) > MAX_DATA_ITEMS:
            raise InvalidEvent(field, f"{field} has more than {MAX_DATA_ITEMS} items.")
        yield from ((item, f"{field}[{index}]") for index, item in enumerate(value))
        return
    if len(value) > MAX_DATA_KEYS:
        raise InvalidEvent(field, f"{field} has more than {MAX_DATA_KEYS} members.")
    for key, member in value.items():
        if len(key) > MAX_DATA_STRING:
            raise InvalidEvent(field, f"A member name in {field} is too long.")
        yield member, f"{field}.{key}"


def validate_envelope(raw: Any, bounds: TimeBounds, *, clock_offset_ms: int = 0) -> ValidEvent:
    """Validate one envelope; `clock_offset_ms` corrects a client clock (the relay's `sent_at`)."""
    if not isinstance(raw, dict):
        raise InvalidEvent("", "Each event must be a JSON object.")
    unknown = raw.keys() - ENVELOPE_KEYS
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidEvent(name, f"Unknown field {name!r} in event.")
    event_type = _event_type(raw.get("event"))
    data = _check_data(raw.get("data"))
    PAYLOADS[event_type](data)
    return ValidEvent(
        event=Event(
            type=event_type,
            occurred_at=_occurred_at(raw.get("ts"), bounds, clock_offset_ms),
            url=path_and_query(raw.get("url")),
            data=data,
        ),
        client_key=_text(raw.get("session_id"), "session_id", limit=MAX_ID_LENGTH),
        client_event_id=_text(raw.get("event_id"), "event_id", required=False, limit=MAX_ID_LENGTH),
        visitor_id=_text(raw.get("visitor_id"), "visitor_id", required=False, limit=MAX_ID_LENGTH),
    )
