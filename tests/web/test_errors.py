"""The error format, Request-Id, 404s that reveal nothing, and the rate limit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import Database
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime, build_runtime
from elnudge.timestamps import format_timestamp_ms
from tests.storefront import ShopApi, page_view


def body_without_request_id(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert body.pop("request_id") == response.headers["Request-Id"]
    return body


def test_every_response_has_a_request_id(client: TestClient, shop: ShopApi) -> None:
    responses = [
        client.get("/healthz"),
        shop.list(),
        shop.list(limit=0),
        client.get("/nowhere"),
        client.get("/v1/sessions"),
    ]
    ids = [response.headers["Request-Id"] for response in responses]
    assert all(request_id.startswith("req_") for request_id in ids)
    assert len(set(ids)) == len(ids)


def test_unknown_routes_and_methods_use_the_error_format(client: TestClient) -> None:
    missing = client.get("/v2/everything")
    assert missing.status_code == 404 and body_without_request_id(missing)["error"] == "NotFound"
    wrong_method = client.delete("/v1/sessions")
    assert (
        wrong_method.status_code == 405
        and body_without_request_id(wrong_method)["error"] == "MethodNotAllowed"
    )


def test_foreign_and_missing_sessions_give_identical_404s(
    client: TestClient, shop: ShopApi, site: CreatedSite, runtime: Runtime, clock: FrozenClock
) -> None:
    old = format_timestamp_ms(clock.now_ms() - 40 * 86_400_000)
    shop.ingest(
        page_view("2026-04-25T10:00:00Z", "/", session="mine"), page_view(old, "/", session="old")
    )
    with runtime.database.write() as connection:
        other_site = create_site(connection, name="Other", plan="starter", now_ms=clock.now_ms())
    other = ShopApi(client, other_site.secret_key_live)
    other_mode = ShopApi(client, site.secret_key_test)
    [mine] = shop.sessions()
    despite_from = shop.sessions(**{"from": old})  # still 30 days: the old one stays hidden
    assert despite_from == [mine]
    old_id = _session_id_started_at(runtime, site, old)

    never = "sess_01J0000000000000000000000A"
    expected = body_without_request_id(shop.get(never))
    assert expected == {"error": "NotFound", "message": "No such session.", "param": "id"}
    for api, session_id in ((other, mine["id"]), (other_mode, mine["id"]), (shop, old_id)):
        response = api.get(session_id)
        assert response.status_code == 404
        assert body_without_request_id(response) == expected
    for malformed in ("sess_", "nope", "sess_" + "Z" * 26, "SESS_01J0000000000000000000000A"):
        assert body_without_request_id(shop.get(malformed)) == expected


def _session_id_started_at(runtime: Runtime, site: CreatedSite, started: str) -> str:
    from sqlalchemy import select

    from elnudge.db.tables import sessions
    from elnudge.timestamps import parse_timestamp

    with runtime.database.read() as connection:
        query = select(sessions.c.session_id).where(
            sessions.c.site_id == site.site_id, sessions.c.started_at == parse_timestamp(started)
        )
        return str(connection.execute(query).scalar_one())


def test_rate_limit_allows_exactly_n_and_says_when_to_retry(
    database_url: str, database: Database, clock: FrozenClock
) -> None:
    settings = Settings(database_url=database_url, migrate_on_start=False, rate_limit_per_minute=5)
    runtime = build_runtime(settings, database=database, clock=clock)
    with runtime.database.write() as connection:
        site = create_site(connection, name="Busy", plan="starter", now_ms=clock.now_ms())
    with TestClient(create_app(runtime=runtime)) as client:
        busy = {"Authorization": f"Bearer {site.secret_key_live}"}
        calm = {"Authorization": f"Bearer {site.secret_key_test}"}
        statuses = [client.get("/v1/sessions", headers=busy).status_code for _ in range(8)]
        assert statuses == [200] * 5 + [429] * 3
        limited = client.get("/v1/sessions", headers=busy)
        assert limited.json()["error"] == "RateLimitExceeded"
        retry_after = int(limited.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        assert limited.json()["message"] == f"Too many requests. Retry after {retry_after} seconds."
        assert client.get("/v1/sessions", headers=calm).status_code == 200  # other keys unaffected


def test_openapi_documents_every_route_and_error(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert {"/v1/sessions", "/v1/sessions/{session_id}", "/v1/events", "/healthz"} <= set(
        document["paths"]
    )
    listing = document["paths"]["/v1/sessions"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"from", "to", "limit", "cursor"}
    assert {"200", "400", "401", "429", "500"} <= set(listing["responses"])
    assert "404" in document["paths"]["/v1/sessions/{session_id}"]["get"]["responses"]
    assert "413" in document["paths"]["/v1/events"]["post"]["responses"]
    assert "EventBatch" in document["components"]["schemas"]
    assert client.get("/docs").status_code == 200
