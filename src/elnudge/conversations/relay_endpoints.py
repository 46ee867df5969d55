"""The chat panel's routes on the relay: `POST /v1/relay/messages` (a shopper's message) and
`POST /v1/relay/transcript` (the session's conversation so far). Public key in the body and
CORS-open like `POST /v1/relay`; routing only, the rules are in `chat` and `delivery`.

A message's answer comes whole as JSON, or, when the request accepts `text/event-stream` (the
SDK's does: `Accept` is a CORS-safelisted header, so still no preflight), streamed as server-sent
events over the POST's answer, one per part as the responder gives it (delivery.py), its `data`
the part as JSON. Either way every check runs before the answer begins, so a refusal is the
usual 4xx in the API's error format. Server-sent events rather than bare JSON lines because
OpenAPI (and so Schemathesis, tests/reliability) can describe and check each event's data."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from elnudge.conversations import chat, delivery
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
EVENTS = "text/event-stream"
# Each event, as OpenAPI 3.1 describes a stream's events (3.2 would call it `itemSchema`).
_EVENT = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {"$ref": "#/components/schemas/ChatStreamLine"},
        }
    },
}
# No cache or proxy may hold an event back (`X-Accel-Buffering`: nginx's buffering, per answer).
_STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}

Work = Callable[[Runtime, Any, Sender], Response]


async def _answer(request: Request, work: Work) -> Response:
    """Run `work` on the body, rendering any error with CORS headers (the SDK reads them)."""
    runtime = runtime_of(request)
    try:
        body = await read_json(request, runtime.settings.max_body_bytes)
        sender = Sender(
            origin=request.headers.get("origin"),
            user_agent=request.headers.get("user-agent"),
            address=request.client.host if request.client else "",
        )
        response = await run_in_threadpool(work, runtime, body, sender)
    except ApiError as error:
        response = render(request, error)
    except Exception:
        log.exception("relay.chat_unexpected_error")
        response = render(request, InternalError("Something went wrong on our side."))
    add_cors_headers(response.headers)
    return response


def _whole(runtime: Runtime, body: Any, sender: Sender) -> Response:
    return JSONResponse(delivery.reply(runtime, chat.accept_message(runtime, body, sender)))


def _streamed(runtime: Runtime, body: Any, sender: Sender) -> Response:
    accepted = chat.accept_message(runtime, body, sender)
    events = _events(delivery.lines(runtime, accepted))
    return StreamingResponse(events, media_type=EVENTS, headers=_STREAM_HEADERS)


def _events(lines: Generator[delivery.Line, None, None]) -> Iterator[bytes]:
    """Each line as an event whose data is its JSON (one line: JSON escapes newlines). The
    status is sent already, so a failure after that can only end the stream (logged); what
    was sent is stored (delivery.py)."""
    with closing(lines):
        try:
            for line in lines:
                yield b"data: " + orjson.dumps(line) + b"\n\n"
        except Exception:
            log.exception("relay.chat_stream_error")


def _transcript(runtime: Runtime, body: Any, sender: Sender) -> Response:
    return JSONResponse(chat.transcript(runtime, body, sender))


@router.post(
    "/messages",
    summary="Send a shopper's chat message (SDK)",
    response_model=ShopperReply,
    responses={
        200: {"headers": REQUEST_ID_HEADER, "content": {EVENTS: {"schema": _EVENT}}},
        **error_responses(400, 401, 413, 429),
    },
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
    site's responder (the answer is in `messages` when there is one now). With `Accept:
    text/event-stream` the answer streams instead, as server-sent events whose `data` is a
    `ChatStreamLine`: the `llm` responder's sentence by sentence, each as it passes the output
    check. At most {chat_max_message_chars} characters; {chat_session_rate_limit} messages a
    minute per session and {chat_client_rate_limit} per client address."""
    streamed = EVENTS in request.headers.get("accept", "")
    return await _answer(request, _streamed if streamed else _whole)


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
    return await _answer(request, _transcript)


@router.options("/messages", include_in_schema=False)
@router.options("/transcript", include_in_schema=False)
async def chat_preflight() -> Response:
    """CORS preflight (a JSON body from another origin triggers one; text/plain does not)."""
    return Response(status_code=204, headers=PREFLIGHT_HEADERS)
