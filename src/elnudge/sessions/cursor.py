"""Pagination cursors (docs/api.md, Errors and Endpoints).

A cursor is standard base64 of a JSON object that starts like the seed's example,
`{"id": <last item's id>, "direction": "before", …}`, and also carries the last item's
`started_at`, the query's window, and a signature. The signature is an HMAC with the site's own
secret over the site, the mode and the payload, so a cursor cannot be forged, edited, or
replayed against another site or mode.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

import orjson

from elnudge import ids
from elnudge.errors import InvalidRequest
from elnudge.timestamps import format_timestamp_ms, parse_timestamp

_INVALID = "The cursor is not valid. Pass next_cursor from a previous response, unchanged."


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended, and the window of the query it belongs to."""

    last_id: str
    last_started_at: int
    from_ms: int
    to_ms: int


def _signature(secret: str, scope: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), scope.encode() + b"\n" + body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def encode_cursor(cursor: Cursor, *, secret: str, scope: str) -> str:
    """The opaque `next_cursor` string; `scope` names the site and mode it is valid for."""
    payload = {
        "id": cursor.last_id,
        "direction": "before",
        "started_at": format_timestamp_ms(cursor.last_started_at),
        "from": format_timestamp_ms(cursor.from_ms),
        "to": format_timestamp_ms(cursor.to_ms),
    }
    payload["sig"] = _signature(secret, scope, orjson.dumps(payload))
    return base64.b64encode(orjson.dumps(payload)).decode()


def decode_cursor(text: str, *, secret: str, scope: str) -> Cursor:
    """The cursor in `text`, or a 400 naming `cursor` when it is malformed, edited or foreign."""
    try:
        # A '+' left unescaped in a query string arrives as a space.
        raw = base64.b64decode(text.replace(" ", "+"), validate=True)
        payload = orjson.loads(raw)
        signature = payload.pop("sig")
        if not isinstance(signature, str) or not hmac.compare_digest(
            signature, _signature(secret, scope, orjson.dumps(payload))
        ):
            raise ValueError("bad signature")
        return _cursor_from(payload)
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as error:
        raise InvalidRequest(_INVALID, param="cursor") from error


def _cursor_from(payload: dict[str, object]) -> Cursor:
    last_id, started_at, low, high = (payload[key] for key in ("id", "started_at", "from", "to"))
    if payload.get("direction") != "before" or not isinstance(last_id, str):
        raise ValueError("not a 'before' cursor")
    if not ids.is_valid_id(last_id, ids.SESSION):
        raise ValueError("not a session id")
    if not (isinstance(started_at, str) and isinstance(low, str) and isinstance(high, str)):
        raise ValueError("times must be strings")
    return Cursor(
        last_id=last_id,
        last_started_at=parse_timestamp(started_at),
        from_ms=parse_timestamp(low),
        to_ms=parse_timestamp(high),
    )
