"""Large JSON answers compressed when the client asks, small ones never; the relay's CORS and
the error format unchanged; files never compressed twice."""

from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from elnudge.clock import FrozenClock
from elnudge.timestamps import format_timestamp_ms
from elnudge.web.compression import MIN_BYTES, CompressionMiddleware
from tests.http_raw import decode, fetch_raw
from tests.storefront import Relay, ShopApi, page_view


@pytest.fixture
def two_hundred(shop: ShopApi, clock: FrozenClock) -> None:
    now = clock.now_ms()
    shop.ingest(
        *(
            page_view(format_timestamp_ms(now - minute * 60_000), "/", session=f"ses_{minute}")
            for minute in range(1, 201)
        )
    )


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_a_page_of_200_sessions_is_compressed_when_asked(
    client: TestClient, shop: ShopApi, two_hundred: None, coding: str
) -> None:
    options = {"headers": {**shop.headers, "Accept-Encoding": "identity"}}
    plain, plain_raw = fetch_raw(client, "GET", "/v1/sessions?limit=200", **options)
    options = {"headers": {**shop.headers, "Accept-Encoding": coding}}
    packed, packed_raw = fetch_raw(client, "GET", "/v1/sessions?limit=200", **options)
    assert len(orjson.loads(plain_raw)["data"]) == 200
    assert packed.headers["content-encoding"] == coding
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == packed.headers["vary"] == "Accept-Encoding"
    assert int(packed.headers["content-length"]) == len(packed_raw) < len(plain_raw) / 4
    assert decode(packed_raw, coding) == plain_raw


def test_a_long_session_is_compressed(
    client: TestClient, shop: ShopApi, clock: FrozenClock
) -> None:
    now = clock.now_ms()
    shop.ingest(*(page_view(format_timestamp_ms(now - s * 1000), f"/p/{s}") for s in range(60)))
    [session] = shop.sessions()
    headers = {**shop.headers, "Accept-Encoding": "gzip"}
    response, raw = fetch_raw(client, "GET", f"/v1/sessions/{session['id']}", headers=headers)
    assert response.headers["content-encoding"] == "gzip"
    assert len(orjson.loads(decode(raw, "gzip"))["data"]["events"]) == 60


def test_small_answers_stay_uncompressed(client: TestClient, shop: ShopApi) -> None:
    headers = {**shop.headers, "Accept-Encoding": "br, gzip"}
    for url in ("/healthz", "/v1/sessions", "/v1/sessions/sess_missing", "/nowhere"):
        response, raw = fetch_raw(client, "GET", url, headers=headers)
        assert len(raw) < MIN_BYTES, url
        assert "content-encoding" not in response.headers, url
        assert response.headers["vary"] == "Accept-Encoding", url
    error = client.get("/v1/sessions?limit=0", headers=headers)
    assert error.status_code == 400 and error.json()["param"] == "limit"


def test_a_large_error_answer_is_still_the_error_format(client: TestClient, shop: ShopApi) -> None:
    headers = {**shop.headers, "Accept-Encoding": "gzip"}
    response, raw = fetch_raw(client, "GET", "/v1/sessions?limit=" + "9" * 2000, headers=headers)
    body = orjson.loads(decode(raw, response.headers.get("content-encoding")))
    assert response.status_code == 400 and body["param"] == "limit"
    assert body["request_id"] == response.headers["request-id"]


def test_the_relay_keeps_its_cors_headers(relay: Relay, clock: FrozenClock) -> None:
    event = page_view(format_timestamp_ms(clock.now_ms()), "/")
    response = relay.post(event, headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json()["accepted"] == 1
    preflight = relay.client.options(
        "/v1/relay",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204 and "access-control-allow-methods" in preflight.headers


def test_files_are_never_compressed_twice(client: TestClient) -> None:
    """A precompressed file passes the middleware as it is: decoding once gives the file."""
    page = client.get("/docs")
    css_url = next(part for part in page.text.split('"') if part.endswith(".css"))
    css, css_raw = fetch_raw(client, "GET", css_url, headers={"Accept-Encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip"
    assert decode(css_raw, "gzip").startswith(b".swagger-ui")


def test_a_streamed_answer_passes_untouched() -> None:
    """An answer in several pieces is never buffered or compressed: it may be endless."""

    async def streaming(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"[" + b"1," * 2000, "more_body": True})
        await send({"type": "http.response.body", "body": b"1]"})

    client = TestClient(CompressionMiddleware(streaming))  # no `with`: this app has no lifespan
    try:
        response, raw = fetch_raw(client, "GET", "/", headers={"Accept-Encoding": "gzip"})
    finally:
        client.close()
    assert "content-encoding" not in response.headers
    assert raw == b"[" + b"1," * 2000 + b"1]"
