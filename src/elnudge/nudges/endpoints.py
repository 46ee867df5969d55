"""Routes of the Nudges API: routing only, the rules are in `service`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from elnudge.keys.service import Principal
from elnudge.nudges import service
from elnudge.nudges.schemas import NudgeList, NudgeListQuery, PreviewResponse
from elnudge.runtime import Runtime
from elnudge.web.auth import SecretKey, authorize
from elnudge.web.body import read_json
from elnudge.web.docs import REQUEST_ID_HEADER, error_responses
from elnudge.web.params import parse_query, query_parameters, reject_unknown_params
from elnudge.web.responses import JSONResponse
from elnudge.web.runtime import runtime_of

router = APIRouter(prefix="/v1/nudges", tags=["Nudges"])


@router.get(
    "",
    summary="List nudges",
    response_model=NudgeList,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 429)},
    openapi_extra={"parameters": query_parameters(NudgeListQuery)},
)
async def list_nudges(request: Request) -> JSONResponse:
    """Nudges shown to your site's sessions, most recent first (by `shown_at`, then id). Those
    of sessions outside your plan's window are not listed, as their sessions are not."""
    runtime = runtime_of(request)
    with runtime.database.autocommit() as connection:
        principal = authorize(request, connection, runtime)
        query = parse_query(request, NudgeListQuery)
        page = service.list_nudges(connection, principal, query, runtime.clock.now_ms())
    return JSONResponse(
        {"data": page.data, "next_cursor": page.next_cursor, "has_more": page.has_more}
    )


@router.post(
    "/preview",
    summary="Preview the engine's decision",
    response_model=PreviewResponse,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 404, 413, 429)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/PreviewRequest"}}
            },
        }
    },
)
async def preview_nudge(request: Request, principal: SecretKey) -> JSONResponse:
    """What the nudge engine would decide now — for a stored session (`{"session_id"}`) or a
    hypothetical one (`{"events": [...], "visitor_id"?}`) — as live mode would draw it, whatever
    the key's mode. Nothing is stored."""
    runtime = runtime_of(request)
    reject_unknown_params(request, ())
    body = await read_json(request, runtime.settings.max_body_bytes)
    data = await run_in_threadpool(_preview, runtime, principal, body)
    return JSONResponse({"data": data})


def _preview(runtime: Runtime, principal: Principal, body: Any) -> dict[str, Any]:
    with runtime.database.snapshot() as connection:
        return service.preview(
            connection, principal, body, runtime.settings, runtime.clock.now_ms()
        )
