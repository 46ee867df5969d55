"""`DELETE /v1/visitors/{visitor_id}`: erasure, with a secret key. Routing only; the rules are
in `erasure`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor

from elnudge.keys.service import Principal
from elnudge.privacy.erasure import ErasureResult, erase_visitor
from elnudge.privacy.schemas import VisitorDeletion
from elnudge.runtime import Runtime
from elnudge.web.auth import SecretKey
from elnudge.web.docs import REQUEST_ID_HEADER, error_responses
from elnudge.web.params import reject_unknown_params
from elnudge.web.responses import JSONResponse
from elnudge.web.runtime import runtime_of

router = APIRouter(prefix="/v1/visitors", tags=["Visitors"])


class AnyTextConvertor(Convertor[str]):
    """A path segment that may hold anything a stored `visitor_id` can: a slash (sent as %2F,
    which the server decodes before routing, e.g. `cust/42`) and line breaks, which Starlette's
    own `path` convertor (`.*`) does not match."""

    regex = "[\\s\\S]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anytext", AnyTextConvertor())


@router.delete(
    "/{visitor_id:anytext}",
    summary="Erase a visitor",
    response_model=VisitorDeletion,
    responses={200: {"headers": REQUEST_ID_HEADER}, **error_responses(400, 401, 429)},
)
async def delete_visitor(
    request: Request,
    principal: SecretKey,
    visitor_id: Annotated[
        str,
        Path(
            min_length=1,
            description="The `visitor_id` your events carried (percent-encode it in the path).",
            examples=["cust_42"],
        ),
    ],
) -> JSONResponse:
    """Delete every session, event and nudge of this visitor in the key's site and mode, at
    once and in one transaction, with what was derived from them. Safe to repeat: a visitor
    with nothing (never seen, or already erased) answers `200` with zeros, so the answer
    reveals nothing. Sessions whose events never carried a `visitor_id` cannot be found by
    it. Afterwards the erased sessions are `404`s."""
    runtime = runtime_of(request)
    reject_unknown_params(request, ())
    result = await run_in_threadpool(_erase, runtime, principal, visitor_id)
    return JSONResponse({"deleted": True, "sessions": result.sessions, "events": result.events})


def _erase(runtime: Runtime, principal: Principal, visitor_id: str) -> ErasureResult:
    with runtime.database.write() as connection:
        return erase_visitor(
            connection,
            site_id=principal.site_id,
            mode=principal.mode,
            visitor_id=visitor_id,
            now_ms=runtime.clock.now_ms(),
        )
