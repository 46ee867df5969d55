"""Routes of the Sessions API: authorize, parse, call one service function, return.

These are the API's hot paths, so they are lean on purpose (each measured in the commit
that made it so):
- `async`, querying the database inline: a list page is one index range scan of at most 201
  rows and a session one statement of a few indexed lookups, cheaper on the event loop than a
  thread pool hop;
- the key lookup and the work share one connection in autocommit: no BEGIN and COMMIT (two
  round trips each on PostgreSQL). A list page is one statement; so is a session with its
  log and nudges, which therefore always agree (one statement reads one snapshot). The
  connection is the event loop thread's kept one (`Database.kept_autocommit`): no pool
  checkout and check-in per request. On SQLite the key's row is remembered on it until
  another connection commits (`Database.memo`), so a read-only load skips the key's query;
- they are called below the framework, by web/hot_routes.py (the router keeps their routes
  for the OpenAPI document);
- no FastAPI dependencies or query parameters in the signature: `parse_query` validates the
  query string with the same pydantic model that documents it;
- the body is encoded by orjson (`JSONResponse`) from the plain dicts the service builds
  straight from the rows; the pydantic models of the responses only document them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from elnudge import ids
from elnudge.sessions import service
from elnudge.sessions.schemas import ListQuery, SessionDetailResponse, SessionList
from elnudge.web.auth import authorize
from elnudge.web.docs import REQUEST_ID_HEADER, error_responses
from elnudge.web.params import parse_query, query_parameters, reject_unknown_params
from elnudge.web.responses import JSONResponse
from elnudge.web.runtime import runtime_of

router = APIRouter(prefix="/v1/sessions", tags=["Sessions"])
# Documented only: a malformed session id is a 404 like any unknown one, not a 400.
SESSION_ID_PATTERN = ids.id_pattern(ids.SESSION)


@router.get(
    "",
    summary="List sessions",
    response_model=SessionList,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 429)},
    openapi_extra={"parameters": query_parameters(ListQuery)},
)
async def list_sessions(request: Request) -> JSONResponse:
    """Sessions for your site, most recent first (by `started_at`, then id)."""
    runtime = runtime_of(request)
    with runtime.database.kept_autocommit() as connection:
        principal = authorize(request, connection, runtime)
        query = parse_query(request, ListQuery)
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
) -> JSONResponse:
    """A single session with its full event log and nudge outcomes."""
    runtime = runtime_of(request)
    with runtime.database.kept_autocommit() as connection:
        principal = authorize(request, connection, runtime)
        reject_unknown_params(request, ())
        detail = service.get_session(connection, principal, session_id, runtime.clock.now_ms())
    return JSONResponse({"data": detail})
