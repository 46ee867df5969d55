"""Signed webhooks (docs/webhooks.md). Receivers need only `verify`:

from elnudge.webhooks import verify
if not verify(request.body, request.headers["X-ElNudge-Signature"], secret): reject
"""

from elnudge.webhooks.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, verify

__all__ = ["EVENT_ID_HEADER", "SIGNATURE_HEADER", "verify"]
