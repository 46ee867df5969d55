"""Reading a posted form: url-encoded only, capped in size, each field once; and an owner's
form, checked (site, CSRF token, role) before anything it asks for is done."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

from elnudge.dashboard.access import (
    VIEWERS_SEE_SETTINGS,
    check_csrf,
    current_user,
    grant_on,
    require_owner,
)
from elnudge.errors import InvalidRequest, PayloadTooLarge
from elnudge.users.service import SignedInUser, UserSite
from elnudge.web.runtime import runtime_of

MAX_FORM_BYTES = 64 * 1024  # the largest real form (settings) is a few KB
MAX_FIELDS = 100


async def read_form(request: Request) -> dict[str, str]:
    """The posted fields (the last value of a repeated one); a 413 page above the cap and a
    400 page for anything that is not a url-encoded form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise InvalidRequest("Send the form as the page does (url-encoded).")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise PayloadTooLarge(f"This form is larger than {MAX_FORM_BYTES // 1024} KB.")
    try:
        fields = parse_qs(
            body.decode(), keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidRequest("This form could not be read.") from error
    return {name: values[-1] for name, values in fields.items()}


async def owner_form(
    request: Request, site_id: str, refusal: str = VIEWERS_SEE_SETTINGS
) -> tuple[dict[str, str], SignedInUser, UserSite]:
    """The posted form of an owner of `site_id`: 404 for a foreign site, 403 for a forged form
    or a viewer (with `refusal`)."""
    form = await read_form(request)
    user, grant = user_and_grant(request, site_id)
    check_csrf(request, form.get("csrf_token"))
    require_owner(grant, refusal)
    return form, user, grant


def user_and_grant(request: Request, site_id: str) -> tuple[SignedInUser, UserSite]:
    """The signed-in user and their grant on `site_id` (404 for a site not theirs)."""
    runtime = runtime_of(request)
    with runtime.database.read() as connection:
        user = current_user(request, connection, runtime)
    return user, grant_on(user, site_id)
