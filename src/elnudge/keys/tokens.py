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

from elnudge.ids import BASE62
from elnudge.vocabulary import KeyKind, Mode

RANDOM_LENGTH = 32
CHECKSUM_LENGTH = 6
PREFIXES = {KeyKind.SECRET: "sk", KeyKind.PUBLIC: "pk"}
_KIND_OF_PREFIX = {prefix: kind for kind, prefix in PREFIXES.items()}
_SHAPE = re.compile(
    f"({'|'.join(PREFIXES.values())})_({'|'.join(Mode)})_"
    f"([0-9A-Za-z]{{{RANDOM_LENGTH}}})([0-9A-Za-z]{{{CHECKSUM_LENGTH}}})"
)


@dataclass(frozen=True, slots=True)
class ParsedKey:
    kind: KeyKind
    mode: Mode


def _checksum(text: str) -> str:
    value = zlib.crc32(text.encode())
    digits = []
    for _ in range(CHECKSUM_LENGTH):
        value, digit = divmod(value, 62)
        digits.append(BASE62[digit])
    return "".join(digits)


def generate_key(kind: KeyKind, mode: Mode) -> str:
    """A new random key of `kind` for `mode`; anything but a KeyKind and a Mode is refused."""
    prefix = f"{PREFIXES[KeyKind(kind)]}_{Mode(mode).value}_"
    body = prefix + "".join(secrets.choice(BASE62) for _ in range(RANDOM_LENGTH))
    return body + _checksum(body)


def parse_key(token: str) -> ParsedKey | None:
    """The key's kind and mode, or None when it is not a well-formed key with a valid checksum."""
    match = _SHAPE.fullmatch(token)
    if match is None:
        return None
    if not secrets.compare_digest(_checksum(token[:-CHECKSUM_LENGTH]), match.group(4)):
        return None
    return ParsedKey(kind=_KIND_OF_PREFIX[match.group(1)], mode=Mode(match.group(2)))


def hash_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
