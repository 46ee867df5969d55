"""`POST /v1/events`: server-to-server ingestion with a secret key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from elnudge.events import service
from elnudge.events.batch import validate_batch
from elnudge.events.schemas import EventBatch, IngestResponse
from elnudge.keys.service import Principal
from elnudge.web.auth import SecretKey
from elnudge.web.body import read_json
from elnudge.web.docs import REQUEST_ID_HEADER, error_responses
from elnudge.web.params import reject_unknown_params
from elnudge.web.responses import JSONResponse
from elnudge.web.runtime import Runtime, runtime_of

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
    """Store up to 1,000 events at once, all or nothing: one invalid event stores none."""
    runtime = runtime_of(request)
    reject_unknown_params(request, ())
    body = await read_json(request, runtime.settings.max_body_bytes)
    result = await run_in_threadpool(_ingest, runtime, principal, body)
    return JSONResponse({"accepted": result.accepted, "duplicates": result.duplicates})


def _ingest(runtime: Runtime, principal: Principal, body: Any) -> service.IngestResult:
    now_ms = runtime.clock.now_ms()
    batch = validate_batch(body, principal, runtime.settings, now_ms)
    # The commit happens here, before the response: an acknowledged batch is a stored batch.
    with runtime.database.write() as connection:
        return service.ingest_all_or_nothing(
            connection, principal=principal, batch=batch, now_ms=now_ms
        )


OPENAPI_MODELS = (EventBatch,)
