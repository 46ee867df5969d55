"""Keyset pagination shared by every list of the API: the query's window, and signed cursors.

A cursor is standard base64 of a JSON object that starts like the Sessions document's example,
`{"id": <last item's id>, "direction": "before", …}`, and also carries the last item's position
(`started_at` for sessions, `shown_at` for nudges, …), the query's window, the list's filters,
and a signature: an HMAC with the site's own secret over the site, the mode and the payload, so
a cursor cannot be forged, edited, or replayed against another site, mode or list. A cursor
alone continues its query over the same window and filters; a `from`, `to` or filter given
again must repeat the cursor's (a 400 naming it otherwise).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import orjson

from elnudge.errors import InvalidRequest
from elnudge.keys.service import Principal
from elnudge.timestamps import DAY_MS, format_timestamp_ms, parse_timestamp

DEFAULT_LOOKBACK_DAYS = 30
_INVALID = "The cursor is not valid. Pass next_cursor from a previous response, unchanged."


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended, and the query it belongs to."""

    last_id: str
    last_at: int  # the last item's position in the list's order (epoch ms)
    from_ms: int
    to_ms: int
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Listing:
    """How one list pages: the name of its position in cursors, and which ids it holds."""

    position: str  # e.g. "started_at"
    is_id: Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Window:
    """A list query resolved: its [from, to) window in ms, its filters, and where it resumes."""

    from_ms: int
    to_ms: int
    filters: Mapping[str, str]
    after: tuple[int, str] | None  # (position, id) of the last item seen, when continuing


def scope(principal: Principal) -> str:
    """What a cursor is valid for: one site in one mode."""
    return f"{principal.site_id}:{principal.mode}"


def api_window_start(principal: Principal, now_ms: int) -> int:
    """Items whose session started before this are outside the plan's API window: invisible."""
    return now_ms - principal.api_window_days * DAY_MS


def _signature(secret: str, scope: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), scope.encode() + b"\n" + body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def encode_cursor(cursor: Cursor, listing: Listing, principal: Principal) -> str:
    """The opaque `next_cursor` string."""
    payload: dict[str, object] = {
        "id": cursor.last_id,
        "direction": "before",
        listing.position: format_timestamp_ms(cursor.last_at),
        "from": format_timestamp_ms(cursor.from_ms),
        "to": format_timestamp_ms(cursor.to_ms),
    }
    if cursor.filters:
        payload["filters"] = dict(sorted(cursor.filters.items()))
    payload["sig"] = _signature(principal.cursor_secret, scope(principal), orjson.dumps(payload))
    return base64.b64encode(orjson.dumps(payload)).decode()


def decode_cursor(text: str, listing: Listing, principal: Principal) -> Cursor:
    """The cursor in `text`, or a 400 naming `cursor` when it is malformed, edited or foreign."""
    try:
        # A '+' left unescaped in a query string arrives as a space.
        raw = base64.b64decode(text.replace(" ", "+"), validate=True)
        payload = orjson.loads(raw)
        signature = payload.pop("sig")
        expected = _signature(principal.cursor_secret, scope(principal), orjson.dumps(payload))
        if not isinstance(signature, str) or not hmac.compare_digest(signature, expected):
            raise ValueError("bad signature")
        return _cursor_from(payload, listing)
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as error:
        raise InvalidRequest(_INVALID, param="cursor") from error


def _cursor_from(payload: dict[str, object], listing: Listing) -> Cursor:
    last_id, position = payload["id"], payload[listing.position]
    low, high, filters = payload["from"], payload["to"], payload.get("filters", {})
    if payload.get("direction") != "before" or not isinstance(last_id, str):
        raise ValueError("not a 'before' cursor")
    if not listing.is_id(last_id):
        raise ValueError("not an id of this list")
    if not (isinstance(position, str) and isinstance(low, str) and isinstance(high, str)):
        raise ValueError("times must be strings")
    if not isinstance(filters, dict) or not all(isinstance(v, str) for v in filters.values()):
        raise ValueError("filters must be strings")
    return Cursor(
        last_id=last_id,
        last_at=parse_timestamp(position),
        from_ms=parse_timestamp(low),
        to_ms=parse_timestamp(high),
        filters=filters,
    )


def parse_time(value: str | None, param: str) -> int | None:
    """A `from` or `to` parameter in epoch ms; a 400 naming it when it is not ISO 8601."""
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError as error:
        message = f"Invalid {param}: expected an ISO 8601 timestamp such as 2026-04-01T00:00:00Z."
        raise InvalidRequest(message, param=param) from error


def resolve_window(
    *,
    given_from: str | None,
    given_to: str | None,
    filters: Mapping[str, str | None],
    cursor: str | None,
    listing: Listing,
    principal: Principal,
    now_ms: int,
) -> Window:
    """The query's window and filters, from its parameters or the cursor it continues."""
    from_ms, to_ms = parse_time(given_from, "from"), parse_time(given_to, "to")
    given = {name: value for name, value in filters.items() if value is not None}
    if cursor is not None:
        return _continued(decode_cursor(cursor, listing, principal), from_ms, to_ms, given)
    from_ms, to_ms = default_period(from_ms, to_ms, now_ms)
    return Window(from_ms=from_ms, to_ms=to_ms, filters=given, after=None)


def resolve_period(given_from: str | None, given_to: str | None, now_ms: int) -> tuple[int, int]:
    """[from, to) in epoch ms from the `from`/`to` parameters of a query without a cursor (the
    nudge report): the lists' parsing, 400s and defaults."""
    return default_period(parse_time(given_from, "from"), parse_time(given_to, "to"), now_ms)


def default_period(from_ms: int | None, to_ms: int | None, now_ms: int) -> tuple[int, int]:
    """The bounds given, or the defaults (30 days ago, now); `from` after `to` is a 400."""
    if from_ms is not None and to_ms is not None and from_ms > to_ms:
        raise InvalidRequest("from must not be later than to.", param="from")
    # A default bound never contradicts the given one: `to` alone before the default `from`
    # (or `from` alone after now) is simply an empty window, not an error about a parameter
    # the caller did not send.
    if from_ms is None:
        from_ms = min(now_ms - DEFAULT_LOOKBACK_DAYS * DAY_MS, now_ms if to_ms is None else to_ms)
    if to_ms is None:
        to_ms = max(now_ms, from_ms)
    return from_ms, to_ms


def _continued(
    cursor: Cursor, from_ms: int | None, to_ms: int | None, given: Mapping[str, str]
) -> Window:
    checks: list[tuple[str, object, object]] = [
        ("from", from_ms, cursor.from_ms),
        ("to", to_ms, cursor.to_ms),
    ]
    checks += [(name, value, cursor.filters.get(name)) for name, value in given.items()]
    for param, value, kept in checks:
        if value is not None and value != kept:
            message = f"{param} differs from the cursor's query; omit it or repeat its value."
            raise InvalidRequest(message, param=param)
    return Window(
        from_ms=cursor.from_ms,
        to_ms=cursor.to_ms,
        filters=cursor.filters,
        after=(cursor.last_at, cursor.last_id),
    )


def next_cursor(
    window: Window, last: tuple[int, str] | None, listing: Listing, principal: Principal
) -> str | None:
    """The cursor after `last` (position, id), or None on the last page."""
    if last is None:
        return None
    position, last_id = last
    cursor = Cursor(last_id, position, window.from_ms, window.to_ms, window.filters)
    return encode_cursor(cursor, listing, principal)
