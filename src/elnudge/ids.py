"""Prefixed ULID identifiers: `sess_01HY…`, `nudg_01HY…` (PRODUCT.md §2)."""

from __future__ import annotations

from ulid import ULID

SITE = "site_"
SESSION = "sess_"
NUDGE = "nudg_"
EVENT = "evt_"
KEY = "key_"
REQUEST = "req_"

_CROCKFORD = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def new_id(prefix: str, at_ms: int | None = None) -> str:
    """A fresh id; `at_ms` sets the ULID's time part (defaults to now)."""
    ulid = ULID() if at_ms is None else ULID.from_timestamp(at_ms / 1000)
    return prefix + str(ulid)


def is_valid_id(value: str, prefix: str) -> bool:
    """True when `value` is `prefix` followed by a well-formed 26-character ULID."""
    body = value[len(prefix) :]
    return (
        value.startswith(prefix)
        and len(body) == 26
        and body[0] in "01234567"  # a ULID's first character encodes at most 3 bits
        and set(body) <= _CROCKFORD
    )
