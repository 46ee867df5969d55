"""`client.nudges` against the real API (PRODUCT.md §10 `GET /v1/nudges`,
`POST /v1/nudges/preview`). These tests skip with "endpoint not on this branch" only while
the route is missing from the app's OpenAPI document; they run as soon as it lands."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from elnudge import InvalidRequestError, NotFoundError
from elnudge.client import Nudge, NudgePreview
from elnudge.vocabulary import NudgeType
from tests.client.conftest import Api, iso
from tests.client.routes import needs_route
from tests.client.servers import run_async

list_route = needs_route("GET", "/v1/nudges")
preview_route = needs_route("POST", "/v1/nudges/preview")
NUDGE_IDS = [f"nudg_01HY8QWK9LMNO2PQR3ST4UV5W{letter}" for letter in "ABCDEFGH"]


def shown_nudges(api: Api) -> list[dict[str, Any]]:
    """Four sessions, each shown two nudges of different types; the first one clicked."""
    events = []
    for index, nudge_id in enumerate(NUDGE_IDS):
        session = f"ses_n{index // 2}"
        at = api.now - timedelta(minutes=50 - index * 5)
        kind = list(NudgeType)[index % 4]
        url = "https://shop.example/products/p1"
        base = {"session_id": session, "visitor_id": f"v{index // 2}", "url": url}
        events.append(
            {**base, "event": "PAGE_VIEW", "ts": iso(at - timedelta(seconds=30)), "data": {}}
        )
        events.append(
            {
                **base,
                "event": "NUDGE_SHOWN",
                "ts": iso(at),
                "data": {"nudge_id": nudge_id, "type": kind},
            }
        )
    first = events[1]
    events.append(
        {**first, "event": "NUDGE_CLICKED", "ts": iso(api.now - timedelta(minutes=49)),
         "data": {"nudge_id": NUDGE_IDS[0]}}
    )  # fmt: skip
    return events


@list_route
def test_nudges_list_pages_like_the_api(api: Api) -> None:
    with api.client() as client:
        client.events.send(shown_nudges(api))
        walked = list(client.nudges.list(limit=3).auto_paging_iter())
    with api.raw() as http:
        raw: list[dict[str, Any]] = []
        query: dict[str, Any] = {"limit": 3}
        while True:
            body = http.get("/v1/nudges", params=query).json()
            raw.extend(body["data"])
            if not body["has_more"]:
                break
            query = {"limit": 3, "cursor": body["next_cursor"]}
    assert walked == [Nudge.from_api(item) for item in raw]
    assert sorted(nudge.id for nudge in walked) == sorted(NUDGE_IDS)
    assert [nudge.shown_at for nudge in walked] == sorted(
        (nudge.shown_at for nudge in walked), reverse=True
    )
    assert list(raw[0]) == [
        "id", "session_id", "type", "shown_at", "outcome", "influenced_conversion",
    ]  # fmt: skip

    async def walk_async() -> list[Nudge]:
        async with api.async_client() as client:
            page = await client.nudges.list(limit=3)
            return [nudge async for nudge in page.auto_paging_iter()]

    assert run_async(walk_async()) == walked


@list_route
def test_nudges_list_filters(api: Api) -> None:
    with api.client() as client:
        client.events.send(shown_nudges(api))
        session_id = client.sessions.list(limit=200).data[-1].id
        in_session = client.nudges.list(session_id=session_id).data
        toasts = client.nudges.list(type="toast").data
        with pytest.raises(InvalidRequestError) as raised:
            client.nudges.list(limit=0)
    assert len(in_session) == 2 and {n.session_id for n in in_session} == {session_id}
    assert toasts and all(nudge.type is NudgeType.TOAST for nudge in toasts)
    assert raised.value.param == "limit"


@preview_route
def test_preview_of_a_stored_session_and_of_events(api: Api) -> None:
    events = shown_nudges(api)
    with api.client() as client:
        client.events.send(events)
        session_id = client.sessions.list().data[0].id
        stored = client.nudges.preview(session_id=session_id)
        hypothetical = client.nudges.preview(
            events=[{**event, "session_id": "ses_what_if"} for event in events[:2]]
        )
        with pytest.raises(NotFoundError):
            client.nudges.preview(session_id="sess_01HY8QVZK3MN2PXRT5GW4JCBD")
    for preview in (stored, hypothetical):
        assert isinstance(preview, NudgePreview)
        assert (preview.nudge is None) == (preview.rule is None)
        assert all(isinstance(reason, str) for reason in preview.reasons)
