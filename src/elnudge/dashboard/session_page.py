"""Session: one session's story: its event timeline, the intent score's curve with the nudges
marked on it, each nudge's outcome (from the same service as `GET /v1/sessions/{id}`), and the
chat transcript if the shopper chatted, where an owner can answer as the store (through
conversations/merchant.py, as `POST /v1/conversations/{id}/messages` does; the shopper's open
panel shows the answer at its next poll). Viewers read the transcript; their reply is a 403."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from elnudge.conversations import repository as conversations
from elnudge.conversations.merchant import reply_as_merchant
from elnudge.conversations.schemas import MAX_REPLY_CHARS
from elnudge.conversations.service import message_object
from elnudge.dashboard.access import NOT_FOUND, csrf_token, current_user, grant_on
from elnudge.dashboard.charts import Mark, intent_curve
from elnudge.dashboard.forms import owner_form
from elnudge.dashboard.principal import site_principal
from elnudge.dashboard.templates import PREFIX, render
from elnudge.dashboard.times import local_time
from elnudge.errors import InvalidRequest, NotFound
from elnudge.pagination import api_window_start
from elnudge.sessions import service
from elnudge.timestamps import parse_timestamp
from elnudge.users.service import SignedInUser, UserSite
from elnudge.vocabulary import Sender
from elnudge.web.runtime import runtime_of

router = APIRouter()
SENDERS = {
    Sender.SHOPPER: "Shopper",
    Sender.ASSISTANT: "The store's assistant",
    Sender.MERCHANT: "The store",
}
VIEWERS_READ_CHATS = "Viewers can read the chat but not answer it. Ask an owner."


@router.get("/sites/{site_id}/sessions/{session_id}")
def session_page(request: Request, site_id: str, session_id: str) -> Response:
    runtime = runtime_of(request)
    with runtime.database.snapshot() as connection:
        user = current_user(request, connection, runtime)
        grant = grant_on(user, site_id)
        return _render(request, connection, user, grant, session_id)


def _render(
    request: Request,
    connection: Connection,
    user: SignedInUser,
    grant: UserSite,
    session_id: str,
    *,
    status: int = 200,
    error: str | None = None,
    draft: str = "",
) -> Response:
    runtime = runtime_of(request)
    principal = site_principal(connection, grant.site_id)
    detail = service.get_session(
        connection, principal, session_id, runtime.clock.now_ms(), with_scores=True
    )
    points = [(parse_timestamp(e["occurred_at"]), e["intent_score"]) for e in detail["events"]]
    marks = [
        Mark(
            parse_timestamp(nudge["shown_at"]),
            f"{nudge['type']} shown at {local_time(nudge['shown_at'], grant.timezone)}: "
            f"{nudge['outcome']}",
        )
        for nudge in reversed(detail["nudges"])
    ]
    summary = (
        f"Intent score over the session: from {points[0][1] if points else 0} "
        f"to {detail['intent_score']}, {len(marks)} nudge(s) marked."
    )
    return render(
        request,
        "session.html",
        status=status,
        user=user,
        grant=grant,
        csrf=csrf_token(request),
        session=detail,
        chart=intent_curve(points, marks, summary),
        chat=_transcript(connection, grant.site_id, principal.mode, session_id),
        senders=SENDERS,
        max_reply_chars=MAX_REPLY_CHARS,
        error=error,
        draft=draft,
    )


def _transcript(
    connection: Connection, site_id: str, mode: str, session_id: str
) -> list[dict[str, Any]] | None:
    """The session's chat messages, oldest first; None when the shopper never chatted."""
    row = conversations.conversation_of_session(connection, site_id, mode, session_id)
    if row is None:
        return None
    rows = conversations.messages_of(connection, site_id, row.conversation_id)
    return [message_object(message) for message in rows]


@router.post("/sites/{site_id}/sessions/{session_id}/reply")
async def reply(request: Request, site_id: str, session_id: str) -> Response:
    form, user, grant = await owner_form(request, site_id, VIEWERS_READ_CHATS)
    return await run_in_threadpool(_reply, request, user, grant, session_id, form.get("text"))


def _reply(
    request: Request, user: SignedInUser, grant: UserSite, session_id: str, text: str | None
) -> Response:
    """Store the reply, then back to the transcript (POST, redirect, GET); bad text re-renders
    the page with the message and the draft kept; nothing stored."""
    runtime = runtime_of(request)
    try:
        with runtime.database.write() as connection:
            principal = site_principal(connection, grant.site_id)
            now_ms = runtime.clock.now_ms()
            # The session must be one the page can show (the site's, in its window, no bot's).
            service.get_session(connection, principal, session_id, now_ms)
            row = conversations.conversation_of_session(
                connection, grant.site_id, principal.mode, session_id
            )
            if row is None:
                raise NotFound(NOT_FOUND)
            reply_as_merchant(
                connection,
                site_id=grant.site_id,
                mode=principal.mode,
                conversation_id=row.conversation_id,
                text=text,
                now_ms=now_ms,
                window_ms=api_window_start(principal, now_ms),
            )
    except InvalidRequest as error:
        with runtime.database.snapshot() as connection:
            return _render(
                request,
                connection,
                user,
                grant,
                session_id,
                status=400,
                error=f"Reply: {error.message}",
                draft=text or "",
            )
    url = f"{PREFIX}/sites/{grant.site_id}/sessions/{session_id}#chat"
    return RedirectResponse(url, status_code=303)
