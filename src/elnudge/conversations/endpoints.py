"""Routes of the Conversations API: authorize, parse, call one service function, return.
Lean like the Sessions API's routes (see sessions/endpoints.py for why)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from elnudge.conversations import service
from elnudge.conversations.merchant import reply_as_merchant
from elnudge.conversations.schemas import (
    CONVERSATION_ID_PATTERN,
    ConversationDetailResponse,
    ConversationList,
    ConversationListQuery,
    MessageResponse,
)
from elnudge.pagination import api_window_start
from elnudge.web.auth import authorize
from elnudge.web.body import read_json
from elnudge.web.docs import REQUEST_ID_HEADER, error_responses
from elnudge.web.params import parse_query, query_parameters, reject_unknown_params
from elnudge.web.responses import JSONResponse
from elnudge.web.runtime import runtime_of

router = APIRouter(prefix="/v1/conversations", tags=["Conversations"])


@router.get(
    "",
    summary="List conversations",
    response_model=ConversationList,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 429)},
    openapi_extra={"parameters": query_parameters(ConversationListQuery)},
)
async def list_conversations(request: Request) -> JSONResponse:
    """Chat transcripts of your site, most recent first (by `started_at`, then id)."""
    runtime = runtime_of(request)
    with runtime.database.autocommit() as connection:
        principal = authorize(request, connection, runtime)
        query = parse_query(request, ConversationListQuery)
        page = service.list_conversations(connection, principal, query, runtime.clock.now_ms())
    return JSONResponse(
        {"data": page.data, "next_cursor": page.next_cursor, "has_more": page.has_more}
    )


@router.get(
    "/{conversation_id}",
    summary="Get a single conversation",
    response_model=ConversationDetailResponse,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 404, 429)},
)
async def get_conversation(
    request: Request,
    conversation_id: Annotated[
        str,
        Path(
            description="The conversation's id: `conv_` and a ULID.",
            json_schema_extra={"pattern": CONVERSATION_ID_PATTERN},
        ),
    ],
) -> JSONResponse:
    """A single conversation with its transcript, oldest message first."""
    runtime = runtime_of(request)
    with runtime.database.snapshot() as connection:
        principal = authorize(request, connection, runtime)
        reject_unknown_params(request, ())
        detail = service.get_conversation(
            connection, principal, conversation_id, runtime.clock.now_ms()
        )
    return JSONResponse({"data": detail})


@router.post(
    "/{conversation_id}/messages",
    summary="Reply to a conversation as the store",
    response_model=MessageResponse,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 404, 413, 429)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/MerchantMessage"}}
            },
        }
    },
)
async def reply(
    request: Request,
    conversation_id: Annotated[
        str,
        Path(
            description="The conversation's id: `conv_` and a ULID.",
            json_schema_extra={"pattern": CONVERSATION_ID_PATTERN},
        ),
    ],
) -> JSONResponse:
    """The merchant's answer (what the `human` responder waits for): stored with sender
    `merchant`; the shopper's panel shows it while they are on the site (it polls)."""
    runtime = runtime_of(request)
    body = await read_json(request, runtime.settings.max_body_bytes)
    with runtime.database.write() as connection:
        principal = authorize(request, connection, runtime)
        reject_unknown_params(request, ())
        now_ms = runtime.clock.now_ms()
        message = reply_as_merchant(
            connection,
            site_id=principal.site_id,
            mode=principal.mode,
            conversation_id=conversation_id,
            text=body.get("text") if isinstance(body, dict) else None,
            now_ms=now_ms,
            window_ms=api_window_start(principal, now_ms),
        )
    return JSONResponse({"data": message})
