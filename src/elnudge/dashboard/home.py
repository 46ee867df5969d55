"""`/dashboard/`: straight to the site's overview when the user has one site; a site picker
when they have several."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from elnudge.dashboard.access import csrf_token, current_user
from elnudge.dashboard.templates import PREFIX, render
from elnudge.web.runtime import runtime_of

router = APIRouter()


@router.get("/")
def home(request: Request) -> Response:
    runtime = runtime_of(request)
    with runtime.database.read() as connection:
        user = current_user(request, connection, runtime)
    if len(user.sites) == 1:
        return RedirectResponse(f"{PREFIX}/sites/{user.sites[0].site_id}/overview", 303)
    return render(request, "sites.html", user=user, csrf=csrf_token(request))
