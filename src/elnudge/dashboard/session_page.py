"""Session: one session's story: its event timeline, the intent score's curve with the nudges
marked on it, and each nudge's outcome, from the same service as `GET /v1/sessions/{id}`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from elnudge.dashboard.access import csrf_token, current_user, grant_on
from elnudge.dashboard.charts import Mark, intent_curve
from elnudge.dashboard.principal import site_principal
from elnudge.dashboard.templates import render
from elnudge.dashboard.times import local_time
from elnudge.sessions import service
from elnudge.timestamps import parse_timestamp
from elnudge.web.runtime import runtime_of

router = APIRouter()


@router.get("/sites/{site_id}/sessions/{session_id}")
def session_page(request: Request, site_id: str, session_id: str) -> Response:
    runtime = runtime_of(request)
    with runtime.database.snapshot() as connection:
        user = current_user(request, connection, runtime)
        grant = grant_on(user, site_id)
        principal = site_principal(connection, site_id)
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
        user=user,
        grant=grant,
        csrf=csrf_token(request),
        session=detail,
        chart=intent_curve(points, marks, summary),
    )
