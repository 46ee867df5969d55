"""Secret-key authentication and the per-key rate limit.

`authorize` runs on the caller's connection, so a read route looks up the key and does its
work on one pooled connection. `SecretKey` is the same check as a FastAPI dependency, for
routes whose work runs elsewhere (ingestion writes in the thread pool).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Connection

from elnudge.errors import Unauthorized
from elnudge.keys.service import Principal, authenticate
from elnudge.runtime import Runtime
from elnudge.vocabulary import KeyKind
from elnudge.web.runtime import runtime_of


def bearer_token(request: Request) -> str:
    """The key from `Authorization: Bearer <key>`; nothing else (no query parameter) counts."""
    # Two Authorization headers are ambiguous (a proxy and the client may disagree): refuse.
    headers = request.headers.getlist("authorization")
    header = headers[0] if len(headers) == 1 else ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or token != token.strip():
        raise Unauthorized()
    return token


def authorize(request: Request, connection: Connection, runtime: Runtime) -> Principal:
    """Who is calling with a secret key; counts the request against that key's limit."""
    token = bearer_token(request)
    now_ms = runtime.clock.now_ms()
    memo = runtime.database.memo(connection)
    principal = authenticate(connection, token, kind=KeyKind.SECRET, now_ms=now_ms, memo=memo)
    runtime.api_limiter.hit(principal.key_id)
    return principal


async def secret_key_principal(request: Request) -> Principal:
    """`authorize` on a connection of its own. `async` on purpose: the lookup is one indexed
    row, cheaper to run on the event loop than to hand to the thread pool."""
    runtime = runtime_of(request)
    with runtime.database.autocommit() as connection:
        return authorize(request, connection, runtime)


SecretKey = Annotated[Principal, Depends(secret_key_principal)]
