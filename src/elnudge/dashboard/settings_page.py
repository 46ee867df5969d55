"""Settings: the nudge engine's settings (through sites/engine.py, as `elnudge sites update`),
the site's time zone and allowed origins, the install snippet with whether events arrive,
keys (create, roll, revoke; a new key is shown once, on the page that answers the form), and
the webhook endpoints, read-only (managed with `elnudge webhooks …`; never their secrets).

Viewers see the page; every form is for owners only (403 otherwise), and carries the CSRF
token. A bad value re-renders the page with a message naming the field, and changes nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from elnudge.dashboard.access import NOT_FOUND, csrf_token, current_user, grant_on
from elnudge.dashboard.forms import owner_form
from elnudge.dashboard.templates import PREFIX, render
from elnudge.engine import Allowance
from elnudge.errors import InvalidRequest, NotFound
from elnudge.events.repository import last_event_at
from elnudge.keys import repository as keys_repository
from elnudge.keys.service import IssuedKey, is_active, issue_key, revoke_key, roll_key
from elnudge.sites.engine import update_engine_settings
from elnudge.sites.origins import set_allowed_origins
from elnudge.sites.service import update_site
from elnudge.sites.summary import site_summary
from elnudge.users.service import SignedInUser, UserSite
from elnudge.vocabulary import Mode
from elnudge.web.runtime import runtime_of
from elnudge.webhooks.service import endpoints_with_last_delivery

router = APIRouter()
FIELD_LABELS = {
    "nudges_enabled": "Nudges",
    "holdout_percent": "Holdout share",
    "agent_name": "Agent name",
    "toast_position": "Toast position",
    "free_shipping_threshold": "Free-shipping threshold",
    "free_shipping_currency": "Currency",
    "monthly_sessions": "Monthly sessions",
    "quiet_zones": "Quiet zones",
    "timezone": "Time zone",
    "origins": "Allowed origins",
}


@router.get("/sites/{site_id}/settings")
def settings_page(request: Request, site_id: str) -> Response:
    runtime = runtime_of(request)
    with runtime.database.read() as connection:
        user = current_user(request, connection, runtime)
        grant = grant_on(user, site_id)
        saved = request.query_params.get("saved")
        return _render(request, connection, user, grant, saved=saved)


def _render(
    request: Request,
    connection: Connection,
    user: SignedInUser,
    grant: UserSite,
    *,
    status: int = 200,
    error: str | None = None,
    saved: str | None = None,
    new_key: IssuedKey | None = None,
) -> Response:
    runtime = runtime_of(request)
    now_ms = runtime.clock.now_ms()
    summary = site_summary(connection, grant.site_id, now_ms)
    keys = [
        {**row, "active": is_active(row, now_ms)}
        for row in keys_repository.list_keys(connection, grant.site_id)
    ]
    public = next((k for k in keys if k["kind"] == "public" and k["mode"] == Mode.LIVE), None)
    return render(
        request,
        "settings.html",
        status=status,
        user=user,
        grant=grant,
        csrf=csrf_token(request),
        summary=summary,
        engine=summary["engine"],
        keys=keys,
        webhooks=endpoints_with_last_delivery(connection, grant.site_id),
        public_key_hint=public["hint"] if public else None,
        last_event_at=last_event_at(connection, grant.site_id, Mode.LIVE),
        error=error,
        saved=saved,
        new_key=new_key,
        origin=f"{request.url.scheme}://{request.url.netloc}",
    )


def engine_changes(form: dict[str, str]) -> dict[str, Any]:
    """The engine settings a settings form asks for (as `elnudge sites update` passes them)."""
    threshold = form.get("free_shipping_threshold", "").strip()
    allowance = form.get("monthly_sessions", "").strip()
    holdout = form.get("holdout_percent", "").strip()
    if not holdout.isdigit():
        raise InvalidRequest(
            "holdout_percent must be a whole number from 0 to 50.", param="holdout_percent"
        )
    return {
        "nudges_enabled": form.get("nudges_enabled") == "on",
        "holdout_percent": int(holdout),
        "agent_name": form.get("agent_name", ""),
        "toast_position": form.get("toast_position", ""),
        "free_shipping_threshold": threshold or None,
        "free_shipping_currency": form.get("free_shipping_currency", "").strip().upper() or None,
        "monthly_sessions": _allowance(allowance),
        "quiet_zones": [
            line.strip() for line in form.get("quiet_zones", "").splitlines() if line.strip()
        ],
    }


def _allowance(value: str) -> int | str:
    if value in ("", "plan"):
        return Allowance.PLAN_DEFAULT
    return int(value) if value.isdigit() else value


def _labelled(error: InvalidRequest) -> str:
    field = (error.param or "").split("[")[0].split(".")[0]
    label = FIELD_LABELS.get(field)
    return f"{label}: {error.message}" if label else error.message


def _apply(
    request: Request, grant: UserSite, user: SignedInUser, change: Any, saved: str
) -> Response:
    """Run `change(connection)` in one transaction; a 400 re-renders the page with the message
    (nothing changed), success goes back to the page (POST, redirect, GET)."""
    runtime = runtime_of(request)
    try:
        with runtime.database.write() as connection:
            result = change(connection)
    except InvalidRequest as error:
        with runtime.database.read() as connection:
            return _render(request, connection, user, grant, status=400, error=_labelled(error))
    if isinstance(result, IssuedKey):
        with runtime.database.read() as connection:
            return _render(request, connection, user, grant, new_key=result)
    url = f"{PREFIX}/sites/{grant.site_id}/settings?saved={saved}"
    return RedirectResponse(url, status_code=303)


@router.post("/sites/{site_id}/settings/engine")
async def save_engine(request: Request, site_id: str) -> Response:
    form, user, grant = await owner_form(request, site_id)

    def change(connection: Connection) -> None:
        update_site(connection, site_id, timezone=form.get("timezone", "UTC").strip())
        update_engine_settings(connection, site_id, engine_changes(form))

    return await run_in_threadpool(_apply, request, grant, user, change, "engine")


@router.post("/sites/{site_id}/settings/origins")
async def save_origins(request: Request, site_id: str) -> Response:
    form, user, grant = await owner_form(request, site_id)
    origins = [line.strip() for line in form.get("origins", "").splitlines() if line.strip()]

    def change(connection: Connection) -> None:
        try:
            set_allowed_origins(connection, site_id, origins)
        except InvalidRequest as error:
            raise InvalidRequest(error.message, param="origins") from error

    return await run_in_threadpool(_apply, request, grant, user, change, "origins")


@router.post("/sites/{site_id}/keys")
async def create_key(request: Request, site_id: str) -> Response:
    form, user, grant = await owner_form(request, site_id)
    now_ms = runtime_of(request).clock.now_ms()

    def change(connection: Connection) -> IssuedKey:
        return issue_key(
            connection,
            site_id=site_id,
            mode=form.get("mode", ""),
            kind=form.get("kind", ""),
            now_ms=now_ms,
        )

    return await run_in_threadpool(_apply, request, grant, user, change, "keys")


@router.post("/sites/{site_id}/keys/{key_id}/{action}")
async def change_key(request: Request, site_id: str, key_id: str, action: str) -> Response:
    _form, user, grant = await owner_form(request, site_id)
    runtime = runtime_of(request)
    now_ms = runtime.clock.now_ms()
    if action not in ("roll", "revoke"):
        raise NotFound(NOT_FOUND)

    def change(connection: Connection) -> IssuedKey | None:
        key = keys_repository.get_key(connection, key_id)
        if key is None or key["site_id"] != site_id:
            raise NotFound(NOT_FOUND)  # another site's key is no different from an unknown one
        if action == "revoke":
            revoke_key(connection, key_id, now_ms=now_ms)
            return None
        grace = runtime.settings.key_roll_grace_seconds
        return roll_key(connection, key_id, now_ms=now_ms, grace_seconds=grace)

    return await run_in_threadpool(_apply, request, grant, user, change, "keys")
