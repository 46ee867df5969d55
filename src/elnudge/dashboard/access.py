"""Who is looking: the signed-in user from the session cookie, their grant on the site a URL
names, and the CSRF token that their forms must carry.

The CSRF token is an HMAC of the session's own random token, so it needs no storage, differs
per session, and a page of another origin can neither read nor compute it (SameSite=Lax
already keeps the cookie off cross-site POSTs; the token covers older browsers and
same-site subdomains)."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request
from sqlalchemy.engine import Connection

from elnudge.errors import Forbidden, NotFound
from elnudge.runtime import Runtime
from elnudge.users.service import SignedInUser, UserSite, signed_in_user
from elnudge.vocabulary import Role

SESSION_COOKIE = "elnudge_session"
NOT_FOUND = "This page does not exist, or is not yours to see."
FORGED = "This form did not come from this dashboard (or has expired). Reload the page and retry."


class SignInRequired(Exception):
    """No valid session: the visitor is sent to the sign-in page."""


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def current_user(request: Request, connection: Connection, runtime: Runtime) -> SignedInUser:
    token = session_token(request)
    user = token and signed_in_user(connection, token, runtime.clock.now_ms())
    if not user:
        raise SignInRequired()
    return user


def grant_on(user: SignedInUser, site_id: str) -> UserSite:
    """The user's grant on `site_id`: another site's id is the same 404 as an unknown one."""
    grant = user.site(site_id)
    if grant is None:
        raise NotFound(NOT_FOUND)
    return grant


VIEWERS_SEE_SETTINGS = "Viewers can see settings but not change them. Ask an owner."


def require_owner(grant: UserSite, refusal: str = VIEWERS_SEE_SETTINGS) -> None:
    """A viewer's form is refused (403) with `refusal`, which says what they may do instead."""
    if grant.role != Role.OWNER:
        raise Forbidden(refusal)


def csrf_token(request: Request) -> str:
    token = session_token(request) or ""
    return hmac.new(token.encode(), b"dashboard-csrf", hashlib.sha256).hexdigest()


def check_csrf(request: Request, given: str | None) -> None:
    """Refuse (403) a form whose token is missing or not this session's."""
    if not session_token(request) or not hmac.compare_digest(given or "", csrf_token(request)):
        raise Forbidden(FORGED)
