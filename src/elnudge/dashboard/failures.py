"""Every failure of a dashboard page is a page: a clear message with the right status, never
a stack trace or JSON. Unknown and foreign ids share one 404 page."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from elnudge.dashboard.access import NOT_FOUND, SignInRequired
from elnudge.dashboard.templates import PREFIX, render
from elnudge.errors import ApiError, NotFound, RateLimitExceeded

log = logging.getLogger("elnudge.dashboard")
TITLES = {
    400: "That did not work",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    429: "Slow down",
    500: "Something went wrong",
}


def error_page(request: Request, status: int, message: str) -> Response:
    return render(
        request,
        "error.html",
        status=status,
        title=TITLES.get(status, "That did not work"),
        message=message,
    )


async def _sign_in(request: Request, error: Exception) -> Response:
    return RedirectResponse(f"{PREFIX}/signin", status_code=303)


async def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    message = NOT_FOUND if isinstance(error, NotFound) else error.message
    response = error_page(request, error.status, message)
    if isinstance(error, RateLimitExceeded):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return error_page(request, 404, NOT_FOUND)
    return error_page(request, error.status_code, "This page cannot do that.")


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("dashboard.unexpected_error", extra={"path": request.url.path})
    return error_page(request, 500, "Something went wrong on our side. It has been logged.")


def install_page_errors(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
