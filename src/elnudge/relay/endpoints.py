"""`POST /v1/relay` and its CORS preflight: routing only, the rules are in `service`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from elnudge.errors import ApiError, InternalError
from elnudge.relay import service
from elnudge.relay.cors import PREFLIGHT_HEADERS, add_cors_headers
from elnudge.relay.schemas import RelayResponse
from elnudge.web.body import read_json
from elnudge.web.docs import REQUEST_ID_HEADER, error_responses
from elnudge.web.errors import ErrorBody, render
from elnudge.web.responses import JSONResponse
from elnudge.web.runtime import runtime_of

router = APIRouter(prefix="/v1/relay", tags=["Relay"])
log = logging.getLogger("elnudge.relay")

_JSON_BODY = {"schema": {"$ref": "#/components/schemas/RelayBatch"}}
_RESULT = {"application/json": {"schema": {"$ref": "#/components/schemas/RelayResponse"}}}
_FORBIDDEN = {
    "model": ErrorBody,
    "description": "The site has an allow-list of origins and this request's Origin is not on it.",
    "headers": REQUEST_ID_HEADER,
}


@router.post(
    "",
    summary="Relay storefront events (SDK)",
    response_model=RelayResponse,
    responses={
        200: {"headers": REQUEST_ID_HEADER, "content": _RESULT},
        **error_responses(400, 401, 413, 429),
        403: _FORBIDDEN,
    },
    openapi_extra={
        "security": [],
        "requestBody": {
            "required": True,
            "content": {"application/json": _JSON_BODY, "text/plain": _JSON_BODY},
        },
    },
)
async def relay_events(request: Request) -> Response:
    """The SDK's endpoint. Authenticated by the public key in the body, so that
    `navigator.sendBeacon` (no headers) works; CORS-open. Best effort: valid events are
    stored, invalid ones counted and dropped. Limited to {relay_rate_limit} events a minute per
    key, and {relay_client_rate_limit} per client address."""
    runtime = runtime_of(request)
    try:
        body = await read_json(request, runtime.settings.max_body_bytes)
        sender = service.Sender(
            origin=request.headers.get("origin"),
            user_agent=request.headers.get("user-agent"),
            address=request.client.host if request.client else "",
        )
        result = await run_in_threadpool(service.relay, runtime, body, sender)
        response: Response = JSONResponse(result.as_json())
    except ApiError as error:
        response = render(request, error)
    except Exception:  # rendered here, with CORS, so the SDK can read it and nothing re-raises
        log.exception("relay.unexpected_error")
        response = render(request, InternalError("Something went wrong on our side."))
    add_cors_headers(response.headers)
    return response


@router.options("", include_in_schema=False)
async def relay_preflight() -> Response:
    """CORS preflight (a JSON body from another origin triggers one; text/plain does not)."""
    return Response(status_code=204, headers=PREFLIGHT_HEADERS)
