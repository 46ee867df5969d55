"""Knowledge: the FAQ entries and policies the chat's knowledge responder answers from, newest
first, 50 a page (keyset on the time-ordered ids). Owners add an entry, import a CSV file (read
as `elnudge knowledge import` reads it, knowledge/csvfile.py) and remove an entry after a
confirmation page; every change goes through knowledge/service.py, the CLI's code path.

Viewers see the list and no form; their POST is a 403. Another site's entry is the same 404 as
an unknown one. A bad entry or file re-renders the page with the message (every bad row named)
and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from elnudge.dashboard.access import check_csrf, csrf_token, current_user, grant_on, require_owner
from elnudge.dashboard.forms import owner_form, user_and_grant
from elnudge.dashboard.period import reject_unknown
from elnudge.dashboard.templates import PREFIX, render
from elnudge.dashboard.uploads import read_upload
from elnudge.errors import InvalidRequest, PayloadTooLarge
from elnudge.knowledge import service
from elnudge.knowledge.csvfile import CSV_COLUMNS, CsvRejected, entries_from_csv
from elnudge.users.service import SignedInUser, UserSite
from elnudge.web.runtime import runtime_of

router = APIRouter()
PAGE_SIZE = 50
MAX_CSV_BYTES = 512 * 1024  # a store's whole FAQ is tens of KB; the CLI imports larger files
PARAMS = ("before", "added", "removed")
NOT_IMPORTED = "Nothing was imported:"
VIEWERS_READ_KNOWLEDGE = "Viewers can see the store's knowledge but not change it. Ask an owner."


@dataclass(frozen=True, slots=True)
class Notice:
    """What the page says above the entries: a refusal (its status, message, the bad rows and
    the draft kept) or what was just done."""

    status: int = 200
    error: str | None = None
    problems: tuple[str, ...] = ()
    draft: dict[str, str] | None = None
    added: int | None = None
    removed: bool = False


@router.get("/sites/{site_id}/knowledge")
def knowledge_page(request: Request, site_id: str) -> Response:
    runtime = runtime_of(request)
    params = request.query_params
    added = params.get("added", "")
    with runtime.database.read() as connection:
        user = current_user(request, connection, runtime)
        grant = grant_on(user, site_id)
        try:
            reject_unknown(params, PARAMS)
        except InvalidRequest as error:
            return _render(request, connection, user, grant, Notice(400, error.message))
        notice = Notice(added=int(added) if added.isdigit() else None, removed="removed" in params)
        return _render(request, connection, user, grant, notice, params.get("before") or None)


def _render(
    request: Request,
    connection: Connection,
    user: SignedInUser,
    grant: UserSite,
    notice: Notice,
    before: str | None = None,
) -> Response:
    """The page: the entries (older than `before`) under the `notice`."""
    try:
        page = service.entries_page(connection, grant.site_id, before, PAGE_SIZE)
    except InvalidRequest as bad_link:
        notice, before = Notice(400, bad_link.message), None
        page = service.entries_page(connection, grant.site_id, before, PAGE_SIZE)
    context: dict[str, Any] = {"user": user, "grant": grant, "csrf": csrf_token(request)}
    return render(
        request,
        "knowledge.html",
        status=notice.status,
        notice=notice,
        draft=notice.draft or {"kind": "faq", "title": "", "body": "", "url": ""},
        page=page,
        first_page=before is None,
        limits={"title": service.MAX_TITLE, "body": service.MAX_BODY, "kb": MAX_CSV_BYTES // 1024},
        kinds=service.KINDS,
        columns=CSV_COLUMNS,
        **context,
    )


def _done(grant: UserSite, notice: str) -> Response:
    """Back to the list (POST, redirect, GET) with what was done."""
    return RedirectResponse(f"{PREFIX}/sites/{grant.site_id}/knowledge?{notice}", status_code=303)


@router.post("/sites/{site_id}/knowledge")
async def add_entry(request: Request, site_id: str) -> Response:
    form, user, grant = await owner_form(request, site_id, VIEWERS_READ_KNOWLEDGE)
    return await run_in_threadpool(_add, request, user, grant, form)


def _add(request: Request, user: SignedInUser, grant: UserSite, form: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    draft = {name: form.get(name, "") for name in CSV_COLUMNS}
    entry = service.Entry(draft["kind"], draft["title"], draft["body"], draft["url"] or None)
    try:
        with runtime.database.write() as connection:
            service.add_entries(connection, grant.site_id, [entry], runtime.clock.now_ms())
    except InvalidRequest as error:
        with runtime.database.read() as connection:
            notice = Notice(400, f"The entry was not added: {error.message}", draft=draft)
            return _render(request, connection, user, grant, notice)
    return _done(grant, "added=1")


@router.post("/sites/{site_id}/knowledge/import")
async def import_csv(request: Request, site_id: str) -> Response:
    user, grant = user_and_grant(request, site_id)
    require_owner(grant, VIEWERS_READ_KNOWLEDGE)
    try:
        upload = await read_upload(request, "file", MAX_CSV_BYTES)
    except (InvalidRequest, PayloadTooLarge) as error:
        return await run_in_threadpool(
            _refused, request, user, grant, error.status, (error.message,)
        )
    check_csrf(request, upload.fields.get("csrf_token"))
    return await run_in_threadpool(_import, request, user, grant, upload.data)


def _import(request: Request, user: SignedInUser, grant: UserSite, data: bytes) -> Response:
    """Every entry of the file, or none (the page then names each bad row)."""
    runtime = runtime_of(request)
    if not data:
        return _refused(request, user, grant, 400, ("Choose a CSV file to import.",))
    try:
        entries = entries_from_csv(data)
    except CsvRejected as rejected:
        more = (f"… and {rejected.more} more.",) if rejected.more else ()
        return _refused(request, user, grant, 400, (*rejected.problems, *more))
    with runtime.database.write() as connection:
        added = service.add_entries(connection, grant.site_id, entries, runtime.clock.now_ms())
    return _done(grant, f"added={len(added)}")


def _refused(
    request: Request, user: SignedInUser, grant: UserSite, status: int, problems: tuple[str, ...]
) -> Response:
    with runtime_of(request).database.read() as connection:
        return _render(request, connection, user, grant, Notice(status, NOT_IMPORTED, problems))


@router.get("/sites/{site_id}/knowledge/{entry_id}/remove")
def confirm_removal(request: Request, site_id: str, entry_id: str) -> Response:
    user, grant = user_and_grant(request, site_id)
    with runtime_of(request).database.read() as connection:
        entry = service.get_entry(connection, site_id, entry_id)  # 404 before 403: as the POST
    require_owner(grant, VIEWERS_READ_KNOWLEDGE)
    context: dict[str, Any] = {"user": user, "grant": grant, "csrf": csrf_token(request)}
    return render(request, "knowledge_remove.html", entry=entry, **context)


@router.post("/sites/{site_id}/knowledge/{entry_id}/remove")
async def remove_entry(request: Request, site_id: str, entry_id: str) -> Response:
    _form, _user, grant = await owner_form(request, site_id, VIEWERS_READ_KNOWLEDGE)

    def remove() -> None:
        with runtime_of(request).database.write() as connection:
            service.remove_entry(connection, site_id, entry_id)  # another site's: the 404 page

    await run_in_threadpool(remove)
    return _done(grant, "removed=1")
