"""`elnudge.webhooks.verify` against signatures made here with plain hmac."""

from __future__ import annotations

import hashlib
import hmac

from elnudge.webhooks import verify
from elnudge.webhooks.signing import sign, signature_header

BODY = (
    b'{"id":"evt_01","event":"ping","site_id":"site_01",'
    b'"created_at":"2026-05-01T12:00:00Z","data":{}}'
)
SECRET = "whsec_new"
OLD = "whsec_old"


def plain(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_signature_made_with_plain_hmac_verifies() -> None:
    assert sign(BODY, SECRET) == plain(BODY, SECRET)
    assert verify(BODY, plain(BODY, SECRET), SECRET)


def test_during_a_rotation_both_secrets_verify() -> None:
    header = signature_header(BODY, [SECRET, OLD])
    assert header == f"{plain(BODY, SECRET)},{plain(BODY, OLD)}"
    assert verify(BODY, header, SECRET) and verify(BODY, header, OLD)
    assert not verify(BODY, header, "whsec_other")


def test_anything_else_fails() -> None:
    header = plain(BODY, SECRET)
    assert not verify(BODY + b" ", header, SECRET)
    assert not verify(BODY, header.upper(), SECRET)
    assert not verify(BODY, header[len("sha256=") :], SECRET)
    assert not verify(BODY, "", SECRET)
    assert not verify(BODY, "sha256=", SECRET)
    assert not verify(BODY, "sha256=ü", SECRET)
