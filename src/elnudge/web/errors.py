"""One handler renders every error in the API's format, `Request-Id` included."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from elnudge.errors import ApiError, InternalError, InvalidRequest, MethodNotAllowed, NotFound
from elnudge.web.params import invalid_value
from elnudge.web.request_id import HEADER
from elnudge.web.responses import JSONResponse

log = logging.getLogger("elnudge.api")


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: str = Field(description="Machine-readable code, e.g. InvalidRequest.")
    message: str = Field(description="What went wrong, for people.")
    param: str | None = Field(default=None, description="The parameter at fault, when one is.")
    request_id: str = Field(description="The Request-Id header of this response.")


def render(request: Request, error: ApiError) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "")
    body: dict[str, Any] = {"error": error.code, "message": error.message}
    if error.param is not None:
        body["param"] = error.param
    body["request_id"] = request_id
    headers = {HEADER: request_id}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(body, status_code=error.status, headers=headers)


async def _api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return render(request, error)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return render(request, invalid_value(error.errors()))


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if error.status_code == 405:
        response = render(request, MethodNotAllowed("This method is not allowed on this URL."))
        # RFC 9110: a 405 lists the methods the URL does support (the router knows them).
        allow = (error.headers or {}).get("Allow")
        if allow:
            response.headers["Allow"] = _with_head(allow)
        return response
    if error.status_code == 404:
        return render(request, NotFound("No such URL. See /docs for the API's routes."))
    return render(request, InvalidRequest(str(error.detail)))


def _with_head(allow: str) -> str:
    """Every GET route also answers HEAD (web/head.py), so an `Allow` naming GET names it."""
    methods = [method.strip() for method in allow.split(",")]
    if "GET" in methods and "HEAD" not in methods:
        methods.append("HEAD")
    return ", ".join(methods)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("api.unexpected_error", extra={"path": request.url.path})
    return render(request, InternalError("Something went wrong on our side. It has been logged."))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
