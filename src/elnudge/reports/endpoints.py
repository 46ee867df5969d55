"""Route of the nudge report: routing only, the rules are in `service`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from elnudge.keys.service import Principal
from elnudge.reports import service
from elnudge.reports.report import NudgeReport
from elnudge.reports.schemas import NudgeReportQuery, NudgeReportResponse
from elnudge.runtime import Runtime
from elnudge.web.auth import SecretKey
from elnudge.web.docs import REQUEST_ID_HEADER, error_responses
from elnudge.web.params import parse_query, query_parameters
from elnudge.web.responses import JSONResponse
from elnudge.web.runtime import runtime_of

router = APIRouter(prefix="/v1/reports", tags=["Reports"])


@router.get(
    "/nudges",
    summary="Report how nudges perform",
    response_model=NudgeReportResponse,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 429)},
    openapi_extra={"parameters": query_parameters(NudgeReportQuery)},
)
async def nudge_report(request: Request, principal: SecretKey) -> JSONResponse:
    """How each nudge type performs over sessions that started in `from`/`to` (the key's mode,
    bots excluded, within your plan's window): its funnel, the conversion of the sessions
    that showed it, the baseline without nudge interaction, and the holdout experiment's lift
    with a fixed and an always-valid 95% interval, a sample-ratio check and the smallest
    detectable lift. Definitions: docs/reports.md."""
    runtime = runtime_of(request)
    query = parse_query(request, NudgeReportQuery)
    data = await run_in_threadpool(_report, runtime, principal, query)
    return JSONResponse({"data": data})


def _report(runtime: Runtime, principal: Principal, query: NudgeReportQuery) -> NudgeReport:
    now_ms = runtime.clock.now_ms()
    service.prepare(runtime.database, principal, query, now_ms)
    # One snapshot: the counts agree with each other while events keep arriving.
    with runtime.database.snapshot() as connection:
        return service.report(connection, principal, query, now_ms)
