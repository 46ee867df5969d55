"""Validating event envelopes (docs/api.md, Events) into canonical `Event`s.

Hand-written rather than a pydantic model: ingestion runs this for every event, and the errors
must name the exact field (`events[3].data.price`) in the API's own words. What each event
type's `data` must hold is the table in `payloads.py`, which also builds the OpenAPI models.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from elnudge.events.payloads import (
    MAX_ID_LENGTH,
    MAX_INTEGER,
    MAX_URL_LENGTH,
    PAYLOADS,
    URL_CHAR,
    InvalidEvent,
    Text,
    check_payload,
)
from elnudge.timestamps import DAY_MS, SECOND_MS, describe_seconds, parse_timestamp
from elnudge.vocabulary import ALIASES, Event

MAX_DATA_KEYS = 50  # members of `data`, and of every object nested in it
MAX_DATA_DEPTH = 32  # levels of objects and arrays in `data` (`data` itself is level 1)
MAX_DATA_ITEMS = 100  # elements of any array in `data`
MAX_DATA_STRING = 2048  # characters of any string (or member name) in `data`
_MIN_INTEGER = -MAX_INTEGER - 1
ENVELOPE_KEYS = frozenset({"event_id", "session_id", "visitor_id", "event", "ts", "url", "data"})
# What `url` may be: an http(s) URL with a plain ASCII host, or a path (not `//host`), never with
# control characters. Published as the OpenAPI pattern, so the document and the check agree; it
# also keeps out everything urlsplit would choke on or silently rewrite (leading blanks, odd
# hosts, brackets).
URL_PATTERN = (
    f"^(?:[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9._~%!$&'()*+,;=:@-]+(?:[/?#]{URL_CHAR}*)?"
    f"|/(?:[^/\\x00-\\x1f\\x7f-\\x9f]{URL_CHAR}*)?)$"
)
_URL = re.compile(URL_PATTERN)
_ID = Text(MAX_ID_LENGTH)
_URL_TEXT = Text(MAX_URL_LENGTH)


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
    future_skew_seconds: int = 0  # for the error message: how far ahead `newest_ms` is


def time_bounds(*, storage_days: int, future_skew_seconds: int, now_ms: int) -> TimeBounds:
    """Events may reach back to the site's storage retention and a little into the future."""
    return TimeBounds(
        oldest_ms=now_ms - storage_days * DAY_MS,
        newest_ms=now_ms + future_skew_seconds * SECOND_MS,
        future_skew_seconds=future_skew_seconds,
    )


def event_param(index: int, field: str) -> str:
    """The name of one event's field in errors: `events[3].data.price` (`events[3]` for all)."""
    return f"events[{index}]" + (f".{field}" if field else "")


def path_and_query(url: Any) -> str:
    """The URL as the API shows it: path plus query, without scheme, host or fragment."""
    text = _URL_TEXT.check(url, "url")
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
        ahead = describe_seconds(bounds.future_skew_seconds)
        raise InvalidEvent("ts", f"ts is more than {ahead} in the future.")
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
    elif isinstance(value, int) and not _MIN_INTEGER <= value <= MAX_INTEGER:
        raise InvalidEvent(field, f"{field} is out of range (a 64-bit integer at most).")
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


def _optional_id(value: Any, field: str) -> str | None:
    return None if value is None else _ID.check(value, field)


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
    check_payload(PAYLOADS[event_type], data)
    return ValidEvent(
        event=Event(
            type=event_type,
            occurred_at=_occurred_at(raw.get("ts"), bounds, clock_offset_ms),
            url=path_and_query(raw.get("url")),
            data=data,
        ),
        client_key=_ID.check(raw.get("session_id"), "session_id"),
        client_event_id=_optional_id(raw.get("event_id"), "event_id"),
        visitor_id=_optional_id(raw.get("visitor_id"), "visitor_id"),
    )
