"""The chat panel's routes on the relay: `POST /v1/relay/messages` (a shopper's message) and
`POST /v1/relay/transcript` (the session's conversation so far). Public key in the body and
CORS-open like `POST /v1/relay`; routing only, the rules are in `chat`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from elnudge.conversations import chat
from elnudge.conversations.schemas import ShopperReply, Transcript
from elnudge.errors import ApiError, InternalError
from elnudge.relay.cors import PREFLIGHT_HEADERS, add_cors_headers
from elnudge.relay.service import Sender
from elnudge.runtime import Runtime
from elnudge.web.body import read_json
from elnudge.web.docs import REQUEST_ID_HEADER, error_responses
from elnudge.web.errors import render
from elnudge.web.responses import JSONResponse
from elnudge.web.runtime import runtime_of

router = APIRouter(prefix="/v1/relay", tags=["Relay"])
log = logging.getLogger("elnudge.relay")

_BODY = {"schema": {"$ref": "#/components/schemas/ShopperMessage"}}
_SESSION_BODY = {"schema": {"$ref": "#/components/schemas/TranscriptRequest"}}


async def _answer(
    request: Request, work: Callable[[Runtime, Any, Sender], dict[str, Any]]
) -> Response:
    """Run `work` on the body, rendering any error with CORS headers (the SDK reads them)."""
    runtime = runtime_of(request)
    try:
        body = await read_json(request, runtime.settings.max_body_bytes)
        sender = Sender(
            origin=request.headers.get("origin"),
            user_agent=request.headers.get("user-agent"),
            address=request.client.host if request.client else "",
        )
        response: Response = JSONResponse(await run_in_threadpool(work, runtime, body, sender))
    except ApiError as error:
        response = render(request, error)
    except Exception:
        log.exception("relay.chat_unexpected_error")
        response = render(request, InternalError("Something went wrong on our side."))
    add_cors_headers(response.headers)
    return response


@router.post(
    "/messages",
    summary="Send a shopper's chat message (SDK)",
    response_model=ShopperReply,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 413, 429)},
    openapi_extra={
        "security": [],
        "requestBody": {
            "required": True,
            "content": {"application/json": _BODY, "text/plain": _BODY},
        },
    },
)
async def post_message(request: Request) -> Response:
    """The chat panel's message: stored with the session's conversation and answered by the
    site's responder (the answer is in `messages` when there is one now). At most
    {chat_max_message_chars} characters; {chat_session_rate_limit} messages a minute per
    session and {chat_client_rate_limit} per client address."""
    return await _answer(request, chat.post_message)


@router.post(
    "/transcript",
    summary="The session's conversation so far (SDK)",
    response_model=Transcript,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 413, 429)},
    openapi_extra={
        "security": [],
        "requestBody": {
            "required": True,
            "content": {"application/json": _SESSION_BODY, "text/plain": _SESSION_BODY},
        },
    },
)
async def get_transcript(request: Request) -> Response:
    """What the panel redraws after a page view, and polls for the store's replies."""
    return await _answer(request, chat.transcript)


@router.options("/messages", include_in_schema=False)
@router.options("/transcript", include_in_schema=False)
async def chat_preflight() -> Response:
    """CORS preflight (a JSON body from another origin triggers one; text/plain does not)."""
    return Response(status_code=204, headers=PREFLIGHT_HEADERS)
