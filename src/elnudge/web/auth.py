"""Secret-key authentication and the per-key rate limit, as one FastAPI dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from elnudge.errors import Unauthorized
from elnudge.keys.service import Principal, authenticate
from elnudge.web.runtime import Runtime, get_runtime


def bearer_token(request: Request) -> str:
    """The key from `Authorization: Bearer <key>`; nothing else (no query parameter) counts."""
    # Two Authorization headers are ambiguous (a proxy and the client may disagree): refuse.
    headers = request.headers.getlist("authorization")
    header = headers[0] if len(headers) == 1 else ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or token != token.strip():
        raise Unauthorized()
    return token


async def secret_key_principal(
    request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]
) -> Principal:
    """Who is calling with a secret key; counts the request against that key's limit.

    `async` on purpose: the lookup is one indexed row, cheaper to run on the event loop than
    to hand to the thread pool (a sync dependency costs a thread hop per request).
    """
    token = bearer_token(request)
    with runtime.database.read() as connection:
        principal = authenticate(connection, token, kind="secret", now_ms=runtime.clock.now_ms())
    runtime.api_limiter.hit(principal.key_id)
    return principal


SecretKey = Annotated[Principal, Depends(secret_key_principal)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
