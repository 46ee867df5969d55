"""Sign-in and sign-out.

Sign-in is rate-limited twice: per client address (any attempt), and per account on wrong
passwords only: after `dashboard_signin_failures` (five in 15 minutes by default) the account
waits, whatever the password, so guessing is slowed down while a user who types their password
right stays unaffected. The sign-in form itself carries a CSRF token (double-submit: a random
cookie and the same value in the form), so no other site can sign a browser in."""

from __future__ import annotations

import hmac
import secrets
from contextlib import suppress

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from elnudge.dashboard.access import SESSION_COOKIE, check_csrf, session_token
from elnudge.dashboard.forms import read_form
from elnudge.dashboard.templates import PREFIX, render
from elnudge.errors import Forbidden, RateLimitExceeded
from elnudge.users import service
from elnudge.users.service import signed_in_user
from elnudge.web.runtime import runtime_of

router = APIRouter()
SIGNIN_COOKIE = "elnudge_signin"
WRONG = "Wrong email or password."


@router.get("/signin")
def signin_form(request: Request) -> Response:
    runtime = runtime_of(request)
    token = session_token(request)
    with runtime.database.read() as connection:
        if token and signed_in_user(connection, token, runtime.clock.now_ms()):
            return RedirectResponse(f"{PREFIX}/", status_code=303)
    return _form(request)


def _form(
    request: Request, *, status: int = 200, message: str | None = None, email: str = ""
) -> Response:
    nonce = request.cookies.get(SIGNIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "signin.html", status=status, csrf=nonce, error=message, email=email)
    _set_cookie(request, response, SIGNIN_COOKIE, nonce, max_age=3600)
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


@router.post("/signin")
async def sign_in(request: Request) -> Response:
    form = await read_form(request)
    nonce = request.cookies.get(SIGNIN_COOKIE, "")
    if not nonce or not hmac.compare_digest(form.get("csrf_token", ""), nonce):
        raise Forbidden("This sign-in form has expired. Reload the page and sign in again.")
    return await run_in_threadpool(
        _sign_in, request, form.get("email", ""), form.get("password", "")
    )


def _sign_in(request: Request, email: str, password: str) -> Response:
    runtime = runtime_of(request)
    account = email.strip().lower()
    try:
        runtime.signin_client_limiter.hit(request.client.host if request.client else "unknown")
        runtime.signin_failure_limiter.check(account)
    except RateLimitExceeded as error:
        minutes = -(-error.retry_after // 60)
        message = f"Too many sign-in attempts. Wait {minutes} minute(s), then try again."
        response = _form(request, status=429, message=message, email=email)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    lifetime_ms = runtime.settings.dashboard_session_hours * 3_600_000
    with runtime.database.write() as connection:
        token = service.sign_in(
            connection,
            email=account,
            password=password[:4096],
            now_ms=runtime.clock.now_ms(),
            lifetime_ms=lifetime_ms,
        )
    if token is None:
        with suppress(RateLimitExceeded):  # already full: the next check() refuses
            runtime.signin_failure_limiter.hit(account)
        return _form(request, status=401, message=WRONG, email=email)
    response = RedirectResponse(f"{PREFIX}/", status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, token, max_age=lifetime_ms // 1000)
    response.delete_cookie(SIGNIN_COOKIE, path=PREFIX)
    return response


@router.post("/signout")
async def sign_out(request: Request) -> Response:
    form = await read_form(request)
    check_csrf(request, form.get("csrf_token"))
    runtime = runtime_of(request)
    token = session_token(request)
    assert token is not None  # check_csrf refuses a request without one
    with runtime.database.write() as connection:
        service.sign_out(connection, token)
    response = RedirectResponse(f"{PREFIX}/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response
