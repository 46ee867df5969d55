"""The client against the real API, in process and as a live `elnudge serve`, on SQLite and
PostgreSQL: every resource of this server, every error the server can give, auto-paging over
hundreds of sessions equal to the API's own walk, and the async client equal to the sync one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from elnudge import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
)
from elnudge.client import AsyncClient, Client, Session, SessionDetail
from elnudge.vocabulary import NudgeType, Outcome
from tests.client.conftest import Api, iso, shopper_sessions
from tests.client.servers import run_async

SESSIONS = 300
PAGE = 25


def raw_walk(http: httpx.Client, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a list, following `next_cursor` by hand, as any HTTP client would."""
    items: list[dict[str, Any]] = []
    query = dict(params)
    while True:
        response = http.get("/v1/sessions", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["data"])
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return items
        query = {"cursor": body["next_cursor"], "limit": params["limit"]}


async def async_walk(client: AsyncClient, **params: Any) -> list[Session]:
    page = await client.sessions.list(**params)
    return [session async for session in page.auto_paging_iter()]


def test_auto_paging_walks_hundreds_of_sessions_like_the_api(api: Api) -> None:
    with api.client() as client:
        sent = client.events.send(shopper_sessions(api.now, SESSIONS))
        assert (sent.accepted, sent.duplicates) == (SESSIONS, 0)
        window = {"from_": iso(api.now - timedelta(days=1)), "to": iso(api.now)}
        first = client.sessions.list(**window, limit=PAGE)
        walked = list(first.auto_paging_iter())
        pages = list(client.sessions.list(**window, limit=PAGE).iter_pages())
    with api.raw() as http:
        expected = raw_walk(http, {"from": window["from_"], "to": window["to"], "limit": PAGE})
    assert len(expected) == SESSIONS and len({item["id"] for item in expected}) == SESSIONS
    assert walked == [Session.from_api(item) for item in expected]
    assert [item for page in pages for item in page.raw_data] == expected
    assert len(pages) == SESSIONS // PAGE and all(len(page.data) == PAGE for page in pages)
    assert first.has_more and first.next_cursor and not pages[-1].has_more

    async def walk_async() -> list[Session]:
        async with api.async_client() as client:
            return await async_walk(client, **window, limit=PAGE)

    assert run_async(walk_async()) == walked


def test_typed_results(api: Api) -> None:
    with api.client() as client:
        client.events.send(shopper_sessions(api.now, 3))
        page = client.sessions.list(limit=2)
    session = page.data[0]
    assert isinstance(session, Session) and session.id.startswith("sess_")
    assert session.started_at.tzinfo is not None and session.started_at <= api.now
    assert isinstance(session.page_count, int) and isinstance(session.converted, bool)
    assert page.has_more and len(page.data) == 2


def _shopping_trip(api: Api) -> list[dict[str, Any]]:
    start = api.now - timedelta(minutes=20)

    def event(minute: int, kind: str, path: str, data: dict[str, Any] | None = None) -> Any:
        return {
            "session_id": "ses_trip",
            "visitor_id": "cust_42",
            "event": kind,
            "ts": start + timedelta(minutes=minute),  # a datetime: the client formats it
            "url": f"https://shop.example{path}",
            "data": data or {},
        }

    nudge = "nudg_01HY8QWK9LMNO2PQR3ST4UV5WX"
    product = {"product_id": "p1", "product_name": "Shoe", "price": 99.0, "currency": "USD"}
    return [
        event(0, "PAGE_VIEW", "/products/p1"),
        event(1, "NUDGE_SHOWN", "/products/p1", {"nudge_id": nudge, "type": "toast"}),
        event(2, "NUDGE_CLICKED", "/products/p1", {"nudge_id": nudge}),
        event(3, "ADD_TO_CART", "/products/p1", {**product, "quantity": 1}),
        event(9, "PURCHASE", "/thanks", {"value": 99.0, "currency": "USD", "item_count": 1}),
    ]


def test_retrieve_gives_the_session_with_its_events_and_nudges(api: Api) -> None:
    with api.client() as client:
        client.events.send(_shopping_trip(api))
        listed = client.sessions.list().data[0]
        detail = client.sessions.retrieve(listed.id)
    with api.raw() as http:
        raw = http.get(f"/v1/sessions/{listed.id}").json()["data"]
    assert detail == SessionDetail.from_api(raw)
    assert detail.id == listed.id and detail.converted and detail.nudge_count == 1
    assert [event.type for event in detail.events] == ["PAGE_VIEW", "ADD_TO_CART", "PURCHASE"]
    (nudge,) = detail.nudges
    assert nudge.type is NudgeType.TOAST and nudge.outcome is Outcome.CLICKED
    assert nudge.influenced_conversion

    async def retrieve_async() -> SessionDetail:
        async with api.async_client() as client:
            return await client.sessions.retrieve(listed.id)

    assert run_async(retrieve_async()) == detail


def test_events_get_ids_so_a_resent_batch_is_stored_once(api: Api) -> None:
    events = shopper_sessions(api.now, 5, prefix="dup")
    events[0]["event_id"] = "order-1001"
    with api.client() as client:
        first = client.events.send(events)
        ids = zip(events, first.event_ids, strict=True)
        again = client.events.send([{**event, "event_id": event_id} for event, event_id in ids])
    assert first.event_ids[0] == "order-1001" and len(set(first.event_ids)) == 5
    assert (first.accepted, first.duplicates) == (5, 0)
    assert (again.accepted, again.duplicates) == (0, 5)


def test_invalid_requests_name_the_parameter(api: Api) -> None:
    with api.client() as client:
        with pytest.raises(InvalidRequestError) as bad_limit:
            client.sessions.list(limit=0)
        with pytest.raises(InvalidRequestError) as bad_from:
            client.sessions.list(from_="yesterday")
        with pytest.raises(InvalidRequestError) as bad_event:
            client.events.send([{"session_id": "s", "event": "NOPE", "ts": iso(api.now)}])
    for raised, param in ((bad_limit, "limit"), (bad_from, "from"), (bad_event, "events[0]")):
        error = raised.value
        assert error.status == 400 and error.code == "InvalidRequest"
        assert error.param is not None and error.param.startswith(param)
        assert error.request_id and error.request_id.startswith("req_")
        assert error.message and error.message in str(error)


def test_a_bad_key_is_an_authentication_error(api: Api) -> None:
    for key in ("sk_live_not-a-key", api.site.site_key_live):
        with api.client(key) as client, pytest.raises(AuthenticationError) as raised:
            client.sessions.list()
        assert raised.value.status == 401 and raised.value.code == "Unauthorized"
        assert raised.value.request_id and key not in str(raised.value)


def test_an_unknown_session_is_not_found(api: Api) -> None:
    with api.client() as client:
        for session_id in ("sess_01HY8QVZK3MN2PXRT5GW4JCBD", "../events", "sess_?x=1#y"):
            with pytest.raises(NotFoundError) as raised:
                client.sessions.retrieve(session_id)
            assert raised.value.status == 404 and raised.value.request_id


def test_a_body_over_the_limit_is_payload_too_large(api: Api) -> None:
    huge: dict[str, Any] = {"session_id": "s", "event": "CUSTOM", "ts": iso(api.now), "url": "/"}
    huge["data"] = {"name": "big", "blob": "x" * (1024 * 1024)}
    with api.client() as client, pytest.raises(PayloadTooLargeError) as raised:
        client.events.send([huge])
    assert raised.value.status == 413 and raised.value.request_id


def test_the_rate_limit_is_retried_after_retry_after_then_raised(api: Api) -> None:
    with api.client(max_retries=0) as client, pytest.raises(RateLimitError) as raised:
        for _ in range(1000):
            client.sessions.list(limit=1)
    assert raised.value.status == 429 and raised.value.retry_after
    waits: list[float] = []
    with (
        api.client(max_retries=2, sleep=waits.append) as client,
        pytest.raises(RateLimitError) as again,
    ):
        client.sessions.list(limit=1)
    # Two waits of the server's Retry-After (the injected sleep does not really wait, so the
    # window is still full after each), then the error with the server's value.
    assert len(waits) == 2 and all(0 < wait <= 60 for wait in waits)
    assert again.value.retry_after == pytest.approx(waits[-1], abs=1)

    async def async_attempt() -> list[float]:
        slept: list[float] = []

        async def record(seconds: float) -> None:
            slept.append(seconds)

        async with api.async_client(max_retries=1, sleep=record) as client:
            with pytest.raises(RateLimitError):
                await client.sessions.list(limit=1)
        return slept

    assert len(run_async(async_attempt())) == 1


def test_the_user_agent_names_the_client_version(api: Api) -> None:
    seen: list[httpx.Request] = []
    inner = api.sync_transport() or httpx.HTTPTransport()

    class Recording(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return inner.handle_request(request)

        def close(self) -> None:
            inner.close()

    import elnudge

    with Client(api.key, base_url=api.base_url, transport=Recording()) as client:
        client.sessions.list(limit=1)
    assert seen[0].headers["User-Agent"].startswith(f"elnudge-python/{elnudge.__version__} ")
    assert repr(client) == f"<elnudge.Client {api.base_url}>" and api.key not in repr(client)
