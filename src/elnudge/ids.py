"""Prefixed ULID identifiers: `sess_01HY…`, `nudg_01HY…` (PRODUCT.md §2)."""

from __future__ import annotations

import base64
import os
import re
import threading
import time
from functools import cache

SITE = "site_"
SESSION = "sess_"
NUDGE = "nudg_"
EVENT = "evt_"
KEY = "key_"
REQUEST = "req_"


RANDOM_BITS = 80
# Standard base32 cut into 5-bit groups exactly as Crockford's; only the alphabet differs.
_TO_CROCKFORD = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)


class _Monotonic:
    """ULID parts (48-bit milliseconds, 80 random bits) that strictly increase within one
    millisecond, as python-ulid's default generator makes them: an id stamped with the same
    millisecond as the previous one takes the previous random part plus one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def next(self, count: int, at_ms: int | None) -> tuple[int, range]:
        """The millisecond and the random parts of `count` new ids."""
        with self._lock:
            ms = time.time_ns() // 1_000_000 if at_ms is None else at_ms
            if ms == self._last_ms:
                first = self._last_random + 1
            else:
                first = int.from_bytes(os.urandom(RANDOM_BITS // 8), "big")
            last = first + count - 1
            if last >> RANDOM_BITS:
                raise ValueError("ULID randomness within one millisecond exhausted")
            self._last_ms, self._last_random = ms, last
        return ms, range(first, last + 1)


_generator = _Monotonic()


def _base32(data: bytes) -> str:
    return base64.b32encode(data).translate(_TO_CROCKFORD).decode()


def new_ids(prefix: str, count: int, at_ms: int | None = None) -> list[str]:
    """`count` fresh ids at once, in increasing order; `at_ms` sets the ULIDs' time part
    (defaults to now). Ingestion names every event of a batch with one call."""
    ms, randoms = _generator.next(count, at_ms)
    # A ULID is 10 characters of time (two zero bits and 48 bits) and 16 of randomness (80
    # bits, 10 bytes): both parts fall on character boundaries, so each is encoded alone.
    stamp = prefix + _base32((ms << 30).to_bytes(10, "big"))[:10]
    text = _base32(b"".join(random.to_bytes(10, "big") for random in randoms))
    return [stamp + text[start : start + 16] for start in range(0, 16 * count, 16)]


def new_id(prefix: str, at_ms: int | None = None) -> str:
    """A fresh id; `at_ms` sets the ULID's time part (defaults to now)."""
    return new_ids(prefix, 1, at_ms)[0]


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
