"""Sessions: the API's list (the same service, so the same rows), with a period of whole days
in the site's time zone and the dashboard's filters, paged by the API's signed cursors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from elnudge.dashboard.access import csrf_token, current_user, grant_on
from elnudge.dashboard.period import page_period, reject_unknown
from elnudge.dashboard.principal import site_principal
from elnudge.dashboard.templates import render
from elnudge.dashboard.times import default_period
from elnudge.errors import InvalidRequest
from elnudge.sessions import service
from elnudge.sessions.filters import filters_from
from elnudge.sessions.schemas import ListQuery
from elnudge.timestamps import format_timestamp_ms
from elnudge.web.runtime import runtime_of

router = APIRouter()
PARAMS = ("from", "to", "converted", "min_intent", "with_nudges", "cursor")
PAGE_SIZE = 50


@router.get("/sites/{site_id}/sessions")
def sessions_page(request: Request, site_id: str) -> Response:
    runtime = runtime_of(request)
    now_ms = runtime.clock.now_ms()
    with runtime.database.autocommit() as connection:
        user = current_user(request, connection, runtime)
        grant = grant_on(user, site_id)
        given = {name: request.query_params.get(name, "") for name in PARAMS}
        first, last = default_period(now_ms, grant.timezone)
        context: dict[str, Any] = {"user": user, "grant": grant, "csrf": csrf_token(request)}
        try:
            reject_unknown(request.query_params, PARAMS)
            period = page_period(given, grant.timezone, now_ms)
            first, last = period.first, period.last
            query = ListQuery.model_validate(
                {
                    "from": format_timestamp_ms(period.from_ms),
                    "to": format_timestamp_ms(period.to_ms),
                    "limit": PAGE_SIZE,
                    "cursor": given["cursor"] or None,
                }
            )
            page = service.list_sessions(
                connection, site_principal(connection, site_id), query, now_ms, filters_from(given)
            )
        except InvalidRequest as error:
            return render(
                request,
                "sessions.html",
                status=400,
                error=error.message,
                page=None,
                period=(first, last),
                given=given,
                next_url=None,
                **context,
            )
    next_url = None
    if page.next_cursor:
        kept = {name: value for name, value in given.items() if value and name != "cursor"}
        next_url = "?" + urlencode({**kept, "cursor": page.next_cursor})
    return render(
        request,
        "sessions.html",
        page=page,
        period=(first, last),
        given=given,
        next_url=next_url,
        **context,
    )
