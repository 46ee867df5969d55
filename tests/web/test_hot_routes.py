"""The Sessions API's hot routes (web/hot_routes.py) answer exactly as the router would.

Two apps over one runtime: the real one, and the same app with the HotRoutes layer taken out
before its first request, so every request goes through Starlette's router and FastAPI's
handling as it did before the layer existed. Every request below, good and bad, must get the
same status, headers and body from both (the request id aside).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from elnudge.app import create_app
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.web.hot_routes import HotRoutes
from tests.storefront import ShopApi, add_to_cart, nudge_shown, page_view, purchase


def without_hot_routes(app: FastAPI) -> FastAPI:
    layers = [layer for layer in app.user_middleware if layer.cls == HotRoutes]  # type: ignore[comparison-overlap]
    assert len(layers) == 1, "create_app no longer installs HotRoutes"
    app.user_middleware.remove(layers[0])
    return app


@pytest.fixture
def router_client(runtime: Runtime) -> Iterator[TestClient]:
    app = without_hot_routes(create_app(runtime=runtime))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def comparable(response: httpx2.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    request_id = response.headers["request-id"]
    headers = sorted(
        (name, value) for name, value in response.headers.multi_items() if name != "request-id"
    )
    return response.status_code, headers, response.content.replace(request_id.encode(), b"req_")


def test_every_answer_is_the_routers(
    client: TestClient, router_client: TestClient, shop: ShopApi, site: CreatedSite
) -> None:
    for number in range(30):
        at = f"2026-04-30T10:{number:02d}:00Z"
        session = f"ses_{number}"
        events = [page_view(at, f"/p/{number}", session=session)]
        if number % 3 == 0:
            events.append(nudge_shown(at, f"nudg_{number}", "toast", session=session))
        if number % 5 == 0:
            events += [add_to_cart(at, session=session), purchase(at, session=session)]
        shop.ingest(*events)
    first = shop.list(limit=2).json()
    session_id = first["data"][0]["id"]
    key = {"Authorization": f"Bearer {site.secret_key_live}"}
    requests: list[tuple[str, str, dict[str, str]]] = [
        ("GET", "/v1/sessions", key),
        ("GET", "/v1/sessions?limit=2", key),
        ("GET", f"/v1/sessions?limit=2&cursor={first['next_cursor']}", key),
        ("GET", "/v1/sessions?limit=200", {**key, "Accept-Encoding": "gzip"}),
        ("GET", "/v1/sessions?limit=200", {**key, "Accept-Encoding": "br"}),
        ("GET", "/v1/sessions?from=2026-04-30T10:05:00Z&to=2026-04-30T10:09:00Z", key),
        ("GET", "/v1/sessions?limit=0", key),
        ("GET", "/v1/sessions?limit=abc", key),
        ("GET", "/v1/sessions?limit=1&limit=2", key),
        ("GET", "/v1/sessions?limt=1", key),
        ("GET", "/v1/sessions?cursor=garbage", key),
        ("GET", "/v1/sessions?from=yesterday", key),
        ("GET", f"/v1/sessions/{session_id}", key),
        ("GET", f"/v1/sessions/{session_id}?expand=events", key),
        ("GET", "/v1/sessions/sess_01HZZZZZZZZZZZZZZZZZZZZZZZ", key),
        ("GET", "/v1/sessions/not-a-session", key),
        ("GET", "/v1/sessions/", key),
        ("GET", "/v1/sessions/a%2Fb", key),
        ("GET", f"/v1/sessions/{session_id}/events", key),
        ("GET", "/v1/sessionsx", key),
        ("GET", "/v1/sessions", {}),
        ("GET", f"/v1/sessions/{session_id}", {"Authorization": "Bearer sk_live_nope"}),
        ("GET", "/v1/sessions", {"Authorization": f"Basic {site.secret_key_live}"}),
        ("GET", "/v1/sessions", {"Authorization": f"Bearer {site.site_key_live}"}),
        ("HEAD", "/v1/sessions", key),
        ("HEAD", f"/v1/sessions/{session_id}", key),
        ("POST", "/v1/sessions", key),
        ("DELETE", f"/v1/sessions/{session_id}", key),
        ("OPTIONS", "/v1/sessions", key),
    ]
    for method, url, headers in requests:
        hot = client.request(method, url, headers=headers)
        routed = router_client.request(method, url, headers=headers)
        assert comparable(hot) == comparable(routed), (method, url)
    # Two Authorization headers (ambiguous) are refused alike.
    doubled = [("Authorization", f"Bearer {site.secret_key_live}")] * 2
    hot = client.get("/v1/sessions", headers=doubled)
    routed = router_client.get("/v1/sessions", headers=doubled)
    assert hot.status_code == 401
    assert comparable(hot) == comparable(routed)
