"""Routes of the Sessions API: parse, call one service function, return.

The handlers are `async` and query the database inline: a list page is one index range scan
of at most 201 rows and a session is three indexed lookups, so they cost less on the event
loop than the thread pool's hop (measured in the commit that made them async).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from elnudge import ids
from elnudge.sessions import service
from elnudge.sessions.schemas import SessionDetailResponse, SessionList
from elnudge.timestamps import TIMESTAMP_PATTERN
from elnudge.web.auth import RuntimeDep, SecretKey
from elnudge.web.docs import REQUEST_ID_HEADER, error_responses
from elnudge.web.params import reject_unknown_params
from elnudge.web.responses import JSONResponse

router = APIRouter(prefix="/v1/sessions", tags=["Sessions"])
LIST_PARAMS = ("from", "to", "limit", "cursor")
# Documented only: the service parses these itself, to answer in the API's own words (and a
# malformed session id is a 404 like any unknown one, not a 400).
_TIMESTAMP = {"pattern": TIMESTAMP_PATTERN}
SESSION_ID_PATTERN = ids.id_pattern(ids.SESSION)
CURSOR_PATTERN = "^[A-Za-z0-9+/ ]+={0,2}$"  # standard base64 ('+' may arrive as a space)


@router.get(
    "",
    summary="List sessions",
    response_model=SessionList,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 429)},
)
async def list_sessions(
    request: Request,
    principal: SecretKey,
    runtime: RuntimeDep,
    from_: Annotated[
        str | None,
        Query(
            alias="from",
            description="Sessions starting at or after this time (ISO 8601). Default: 30 days ago.",
            json_schema_extra=_TIMESTAMP,
        ),
    ] = None,
    to: Annotated[
        str | None,
        Query(
            description="Sessions starting before this time (ISO 8601). Default: now.",
            json_schema_extra=_TIMESTAMP,
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Sessions per page, 1–200.")] = 50,
    cursor: Annotated[
        str | None,
        Query(
            description="`next_cursor` from a previous response: continues that query. It is "
            "signed: any other value, even well-formed base64, is a 400 naming `cursor`.",
            json_schema_extra={"pattern": CURSOR_PATTERN},
        ),
    ] = None,
) -> JSONResponse:
    """Sessions for your site, most recent first (by `started_at`, then id)."""
    reject_unknown_params(request, LIST_PARAMS)
    query = service.ListQuery(from_=from_, to=to, limit=limit, cursor=cursor)
    with runtime.database.read() as connection:
        page = service.list_sessions(connection, principal, query, runtime.clock.now_ms())
    return JSONResponse(
        {"data": page.data, "next_cursor": page.next_cursor, "has_more": page.has_more}
    )


@router.get(
    "/{session_id}",
    summary="Get a single session",
    response_model=SessionDetailResponse,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 404, 429)},
)
async def get_session(
    request: Request,
    session_id: Annotated[
        str,
        Path(
            description="The session's id: `sess_` and a ULID.",
            json_schema_extra={"pattern": SESSION_ID_PATTERN},
        ),
    ],
    principal: SecretKey,
    runtime: RuntimeDep,
) -> JSONResponse:
    """A single session with its full event log and nudge outcomes."""
    reject_unknown_params(request, ())
    with runtime.database.read() as connection:
        detail = service.get_session(connection, principal, session_id, runtime.clock.now_ms())
    return JSONResponse({"data": detail})
