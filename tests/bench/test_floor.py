"""The floor server (bench/floor.py) answers the four read routes of `bench/run read` as elNudge
does: the same bodies for a list page, the page after it by cursor and a session with its log
and nudges, and the same refusals. Both apps run in process on the same database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from bench.floor import Floor
from fastapi.testclient import TestClient

from bench import serve_floor
from elnudge import server
from elnudge.keys.repository import list_keys
from elnudge.keys.service import revoke_key
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from tests.sessions.test_seed_example import seed_events
from tests.storefront import ShopApi, page_view

WINDOW = {"from": "2026-04-01T00:00:00Z", "to": "2026-04-30T23:59:59Z"}


@pytest.fixture
def floor(runtime: Runtime, site: CreatedSite) -> Iterator[TestClient]:
    app = Floor(runtime.settings.database_url, now_ms=runtime.clock.now_ms)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {site.secret_key_live}"
        yield client
    app.store.close()


@pytest.fixture
def filled(shop: ShopApi) -> ShopApi:
    """The seed's session (events and two nudges) and five one-page sessions after it."""
    shop.ingest(*seed_events())
    shop.ingest(*(page_view(f"2026-04-29T11:0{i}:00Z", "/", session=f"s{i}") for i in range(5)))
    return shop


def both(shop: ShopApi, floor: TestClient, path: str, **params: Any) -> tuple[Any, Any]:
    """(elNudge's, the floor's) status and JSON body for the same request."""
    ours = shop.client.get(path, headers=shop.headers, params=params)
    theirs = floor.get(path, params=params)
    return (ours.status_code, ours.json()), (theirs.status_code, theirs.json())


def same_bytes(shop: ShopApi, floor: TestClient, path: str, **params: Any) -> dict[str, Any]:
    """The floor's JSON body for a request it answers with the very bytes elNudge does (equal
    parsed bodies would let `0` pass for `false`)."""
    ours = shop.client.get(path, headers=shop.headers, params=params)
    theirs = floor.get(path, params=params)
    assert (theirs.status_code, theirs.content) == (ours.status_code, ours.content)
    body: dict[str, Any] = theirs.json()
    return body


def test_list_pages_are_elnudges(filled: ShopApi, floor: TestClient) -> None:
    body = same_bytes(filled, floor, "/v1/sessions", **WINDOW, limit=4)
    assert len(body["data"]) == 4 and body["has_more"] is True
    # The deep page: continuing by the cursor (signed by the floor, checked by both).
    body = same_bytes(filled, floor, "/v1/sessions", cursor=body["next_cursor"], limit=4)
    assert [len(body["data"]), body["has_more"]] == [2, False]


def test_get_by_id_is_elnudges(filled: ShopApi, floor: TestClient) -> None:
    [session_id] = [s["id"] for s in filled.sessions(**WINDOW) if s["nudge_count"] == 2]
    detail = same_bytes(filled, floor, f"/v1/sessions/{session_id}")["data"]
    assert (len(detail["events"]), len(detail["nudges"])) == (10, 2)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/sessions", {"limit": 0}, 400),
        ("/v1/sessions", {"cursor": "bm90IGEgY3Vyc29y"}, 400),
        ("/v1/sessions/sess_01HY8QWK9LMNO2PQR3ST4UV5WX", {}, 404),
        ("/v1/sessions/not-an-id", {}, 404),
    ],
)
def test_refusals_are_elnudges(
    filled: ShopApi, floor: TestClient, path: str, params: dict[str, Any], status: int
) -> None:
    (our_status, ours), (their_status, theirs) = both(filled, floor, path, **params)
    assert our_status == their_status == status
    assert theirs["error"] == ours["error"]
    assert theirs.get("param") == ours.get("param")


def test_a_bad_key_is_refused(floor: TestClient) -> None:
    floor.headers["Authorization"] = "Bearer sk_live_" + "a" * 38
    assert floor.get("/v1/sessions").status_code == 401
    del floor.headers["Authorization"]
    assert floor.get("/v1/sessions/sess_01HY8QWK9LMNO2PQR3ST4UV5WX").status_code == 401


def test_the_floor_runs_under_elnudges_http_protocol() -> None:
    assert serve_floor.HTTP_PROTOCOL == server.HTTP_PROTOCOL


def test_a_public_key_and_a_revoked_key_are_refused(
    runtime: Runtime, site: CreatedSite, floor: TestClient
) -> None:
    assert floor.get("/v1/sessions").status_code == 200
    floor.headers["Authorization"] = f"Bearer {site.site_key_live}"
    assert floor.get("/v1/sessions").status_code == 401
    now_ms = runtime.clock.now_ms()
    with runtime.database.write() as connection:
        [key] = [
            k
            for k in list_keys(connection, site.site_id)
            if (k["kind"], k["mode"]) == ("secret", "live")
        ]
        revoke_key(connection, key["key_id"], now_ms=now_ms)
    floor.headers["Authorization"] = f"Bearer {site.secret_key_live}"
    assert floor.get("/v1/sessions").status_code == 401
