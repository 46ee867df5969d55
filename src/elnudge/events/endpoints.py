"""`POST /v1/events`: server-to-server ingestion with a secret key."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from elnudge.events import service
from elnudge.events.schemas import IngestResponse
from elnudge.web.auth import SecretKey
from elnudge.web.body import read_json
from elnudge.web.docs import REQUEST_ID_HEADER, error_responses
from elnudge.web.params import reject_unknown_params
from elnudge.web.responses import JSONResponse
from elnudge.web.runtime import runtime_of

router = APIRouter(prefix="/v1/events", tags=["Events"])


@router.post(
    "",
    summary="Ingest events",
    response_model=IngestResponse,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 413, 429)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/EventBatch"}}
            },
        }
    },
)
async def ingest_events(request: Request, principal: SecretKey) -> JSONResponse:
    """Store a batch of events (up to {max_batch_events}), all or nothing: one invalid event
    stores none."""
    runtime = runtime_of(request)
    reject_unknown_params(request, ())
    body = await read_json(request, runtime.settings.max_body_bytes)
    result = await run_in_threadpool(service.ingest_request, runtime, principal, body)
    return JSONResponse({"accepted": result.accepted, "duplicates": result.duplicates})
