"""The key format: `sk_live_` + 32 random base62 characters + a 6-character checksum.

The checksum lets a mistyped or invented key be rejected without touching the database.
Only a SHA-256 of the whole key is stored; the key itself is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import zlib
from dataclasses import dataclass

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_LENGTH = 32
CHECKSUM_LENGTH = 6
KINDS = {"sk": "secret", "pk": "public"}
MODES = ("live", "test")
_SHAPE = re.compile(
    rf"(sk|pk)_(live|test)_([0-9A-Za-z]{{{RANDOM_LENGTH}}})([0-9A-Za-z]{{{CHECKSUM_LENGTH}}})"
)


@dataclass(frozen=True, slots=True)
class ParsedKey:
    kind: str  # "secret" or "public"
    mode: str  # "live" or "test"


def _checksum(text: str) -> str:
    value = zlib.crc32(text.encode())
    digits = []
    for _ in range(CHECKSUM_LENGTH):
        value, digit = divmod(value, 62)
        digits.append(BASE62[digit])
    return "".join(digits)


def generate_key(kind: str, mode: str) -> str:
    """A new random key of `kind` ("secret" or "public") for `mode` ("live" or "test")."""
    prefix = ("sk" if kind == "secret" else "pk") + f"_{mode}_"
    body = prefix + "".join(secrets.choice(BASE62) for _ in range(RANDOM_LENGTH))
    return body + _checksum(body)


def parse_key(token: str) -> ParsedKey | None:
    """The key's kind and mode, or None when it is not a well-formed key with a valid checksum."""
    match = _SHAPE.fullmatch(token)
    if match is None:
        return None
    if not secrets.compare_digest(_checksum(token[:-CHECKSUM_LENGTH]), match.group(4)):
        return None
    return ParsedKey(kind=KINDS[match.group(1)], mode=match.group(2))


def hash_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
