"""Webhook signatures (docs/webhooks.md): `X-ElNudge-Signature: sha256=<hex HMAC-SHA256 of the
raw body with the endpoint's secret>`; for 5 minutes after a rotation the header carries two
values, newest first (`sha256=<new>,sha256=<old>`), and a receiver accepts any."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

SIGNATURE_HEADER = "X-ElNudge-Signature"
EVENT_ID_HEADER = "X-ElNudge-Event-Id"
SCHEME = "sha256="


def sign(raw_body: bytes, secret: str) -> str:
    """One signature value: `sha256=` and the hex HMAC-SHA256 of the body."""
    return SCHEME + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


def signature_header(raw_body: bytes, secrets: Sequence[str]) -> str:
    """The header's value for the secrets in force, newest first."""
    return ",".join(sign(raw_body, secret) for secret in secrets)


def verify(raw_body: bytes, header: str, secret: str) -> bool:
    """True when one of the header's values is the body's signature with `secret`.

    Pass the body exactly as received (bytes, before any JSON parsing). Every value is compared
    in constant time, so the answer's timing tells nothing about the expected signature."""
    expected = sign(raw_body, secret).encode()
    found = False
    for value in header.split(","):
        found |= hmac.compare_digest(value.strip().encode(), expected)
    return found
