"""Prefixed ULID identifiers: `sess_01HY…`, `nudg_01HY…` (docs/api.md, Ids and Keys)."""

from __future__ import annotations

import os
import re
from functools import cache

from ulid import ULID

SITE = "site_"
SESSION = "sess_"
NUDGE = "nudg_"
EVENT = "evt_"
KEY = "key_"
USER = "user_"
REQUEST = "req_"
ERASURE = "era_"
WEBHOOK_ENDPOINT = "we_"
WEBHOOK_DELIVERY = "whd_"
CONVERSATION = "conv_"
MESSAGE = "msg_"
KNOWLEDGE = "know_"
# The alphabet of API keys' random part and of other short random tokens.
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def new_id(prefix: str, at_ms: int | None = None) -> str:
    """A fresh id; `at_ms` sets the ULID's time part (defaults to now)."""
    ulid = ULID() if at_ms is None else ULID.from_timestamp(at_ms / 1000)
    return prefix + str(ulid)


# Each byte value to a letter of the ULID's alphabet (Crockford's base32): its low five bits, so
# a uniformly random byte gives a uniformly random letter, five bits of randomness.
_CROCKFORD = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LETTER_OF_BYTE = bytes(_CROCKFORD[value % 32] for value in range(256))


def new_ids(prefix: str, count: int) -> list[str]:
    """`count` fresh ids of this instant, in increasing order (as python-ulid's monotonic
    ULIDs of one millisecond are): one time part, and the 80-bit random parts drawn at once and
    sorted. Ingestion numbers every event of a batch, and a ULID at a time cost 3 µs each."""
    time_part = str(ULID())[:10]
    drawn = os.urandom(16 * count).translate(_LETTER_OF_BYTE).decode()
    random_parts = sorted(drawn[start : start + 16] for start in range(0, 16 * count, 16))
    return [prefix + time_part + random_part for random_part in random_parts]


def id_pattern(prefix: str) -> str:
    """The regex of an id: the prefix and a 26-character Crockford base32 ULID, whose first
    character encodes at most 3 bits. Published in the OpenAPI document as it is."""
    return f"^{re.escape(prefix)}[0-7][0-9A-HJKMNP-TV-Z]{{25}}$"


@cache
def _compiled(prefix: str) -> re.Pattern[str]:
    return re.compile(id_pattern(prefix))


def is_valid_id(value: str, prefix: str) -> bool:
    """True when `value` is `prefix` followed by a well-formed 26-character ULID."""
    return _compiled(prefix).fullmatch(value) is not None
