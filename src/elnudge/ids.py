"""Prefixed ULID identifiers: `sess_01HY…`, `nudg_01HY…` (docs/api.md, Ids and Keys)."""

from __future__ import annotations

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
