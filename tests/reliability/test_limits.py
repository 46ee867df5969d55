"""Body and batch limits, and the per-key rate limit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import Database
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime, build_runtime
from tests.reliability.tenants import new_site
from tests.storefront import ShopApi, page_view

CHUNK = 64 * 1024


def run_asgi(app: Any, headers: list[tuple[bytes, bytes]], chunks: int) -> tuple[int, int]:
    """POST /v1/events through the ASGI interface with a body of `chunks` chunks of 64 KiB and
    no Content-Length; returns the status and how many chunks the app pulled."""
    pulled = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/events",
        "raw_path": b"/v1/events",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    # A thread of its own: another test's library (Playwright) may keep a loop running here.
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(asyncio.run, app(scope, receive, send)).result()
    return status, pulled


def test_an_endless_body_is_refused_without_being_read_whole(
    runtime: Runtime, site: CreatedSite
) -> None:
    app = create_app(runtime=runtime)
    auth = [(b"authorization", f"Bearer {site.secret_key_live}".encode())]
    limit_chunks = runtime.settings.max_body_bytes // CHUNK  # 16 chunks make 1 MiB
    status, pulled = run_asgi(app, auth, chunks=10_000)  # 625 MiB offered
    assert status == 413
    assert pulled == limit_chunks + 1  # stopped at the first chunk past the limit
    declared = [*auth, (b"content-length", str(10_000 * CHUNK).encode())]
    status, pulled = run_asgi(app, declared, chunks=10_000)
    assert (status, pulled) == (413, 0)  # refused on the declared length, nothing read


def test_oversized_batches_and_fields_are_400s_naming_the_field(shop: ShopApi) -> None:
    event = page_view("2026-05-01T11:00:00Z", "/")
    response = shop.send(*[event] * 1001)
    assert response.status_code == 400 and response.json()["param"] == "events"
    cases: dict[str, dict[str, Any]] = {
        "session_id": {"session_id": "s" * 129},
        "event_id": {"event_id": "e" * 129},
        "visitor_id": {"visitor_id": "v" * 129},
        "url": {"url": "/" + "p" * 2048},
        "data.title": {"data": {"title": "t" * 513}},
        "data": {"data": {f"k{i}": i for i in range(51)}},
    }
    for field, change in cases.items():
        response = shop.send({**event, **change})
        assert response.status_code == 400, field
        assert response.json()["param"] == f"events[0].{field}", response.text
    assert shop.list().json()["data"] == []  # nothing was stored


@pytest.fixture
def limited_client(database: Database, clock: FrozenClock, database_url: str) -> Iterator[Any]:
    settings = Settings(database_url=database_url, migrate_on_start=False, rate_limit="3/2 seconds")
    runtime = build_runtime(settings, database=database, clock=clock)
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        yield client, runtime


def test_the_rate_limit_allows_exactly_n_and_retry_after_is_honest(
    limited_client: tuple[TestClient, Runtime],
) -> None:
    client, runtime = limited_client
    flooded, other = new_site(runtime), new_site(runtime)
    flood = {"Authorization": f"Bearer {flooded.secret_key_live}"}
    calm = {"Authorization": f"Bearer {other.secret_key_live}"}
    statuses = [client.get("/v1/sessions", headers=flood) for _ in range(8)]
    assert [response.status_code for response in statuses] == [200] * 3 + [429] * 5
    for response in statuses[3:]:
        body = response.json()
        assert body["error"] == "RateLimitExceeded"
        retry_after = int(response.headers["retry-after"])
        assert 1 <= retry_after <= 2
        assert f"Retry after {retry_after} second" in body["message"]
    # The other key, and the same site's other mode key, are untouched by the flood.
    assert [client.get("/v1/sessions", headers=calm).status_code for _ in range(3)] == [200] * 3
    test_mode = {"Authorization": f"Bearer {flooded.secret_key_test}"}
    assert client.get("/v1/sessions", headers=test_mode).status_code == 200
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(seconds=int(statuses[-1].headers["retry-after"]))
    assert client.get("/v1/sessions", headers=flood).status_code == 200


def test_hostile_json_is_a_400_not_a_500(client: TestClient, site: CreatedSite) -> None:
    headers = {
        "Authorization": f"Bearer {site.secret_key_live}",
        "Content-Type": "application/json",
    }
    for body in (
        b'{"events": ' + b"[" * 5000 + b"]" * 5000 + b"}",  # nesting past any parser's depth
        b'{"events": [NaN]}',
        b'{"events": ["\\ud800"]}',  # a lone surrogate
        b"\xff\xfe",
        b"",
    ):
        response = client.post("/v1/events", headers=headers, content=body)
        assert response.status_code == 400, (body[:40], response.text)
        assert response.json()["error"] == "InvalidRequest"
