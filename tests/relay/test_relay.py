"""`POST /v1/relay`: the SDK's endpoint, on both backends."""

from __future__ import annotations

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select

from elnudge.db.tables import events, sessions
from elnudge.provisioning import CreatedSite
from elnudge.relay.schemas import RelayResponse
from elnudge.runtime import Runtime
from tests.storefront import ORIGIN, Relay, ShopApi, add_to_cart, envelope, page_view, purchase

NOW = "2026-05-01T12:00:00Z"  # the frozen clock of the `runtime` fixture
T = "2026-05-01T11:59:00Z"  # listings end before now (`to` is exclusive)


def test_text_plain_body_is_stored_and_counted(relay: Relay, shop: ShopApi) -> None:
    result = relay.send(
        page_view("2026-05-01T11:59:00Z", "/", event_id="a1"),
        add_to_cart("2026-05-01T11:59:30Z", event_id="a2"),
        sent_at=NOW,
    )
    assert result == {"accepted": 2, "duplicates": 0, "invalid": 0, "errors": [], "nudge": None}
    RelayResponse.model_validate(result)
    [session] = shop.sessions()
    assert session["page_count"] == 1
    assert session["started_at"] == "2026-05-01T11:59:00Z"


def test_json_body_works_too(relay: Relay, shop: ShopApi) -> None:
    result = relay.send(page_view(T, "/"), content_type="application/json")
    assert result["accepted"] == 1
    assert len(shop.sessions()) == 1


def test_cors_preflight_and_headers_for_any_origin(client: TestClient, relay: Relay) -> None:
    preflight = client.options(
        "/v1/relay",
        headers={
            "origin": "https://elsewhere.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"].lower() == "content-type"

    ok = relay.post(page_view(T, "/"))
    assert ok.headers["access-control-allow-origin"] == "*"
    # Errors are readable cross-origin too, with Retry-After and Request-Id exposed.
    refused = relay.post(page_view(T, "/"), site_key="pk_live_nope")
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "*"
    assert "Retry-After" in refused.headers["access-control-expose-headers"]


def test_client_clock_is_corrected_with_sent_at(relay: Relay, shop: ShopApi) -> None:
    # The shopper's clock runs two hours and five minutes slow.
    relay.send(
        page_view("2026-05-01T09:54:00Z", "/"),
        page_view("2026-05-01T09:54:50Z", "/cart"),
        sent_at="2026-05-01T09:55:00Z",
    )
    [session] = shop.sessions()
    assert session["started_at"] == T
    assert session["ended_at"] == "2026-05-01T11:59:50Z"


def test_sent_at_in_epoch_milliseconds(relay: Relay, shop: ShopApi, runtime: Runtime) -> None:
    ahead_ms = runtime.clock.now_ms() + 3_600_000  # a clock an hour fast
    relay.send(page_view("2026-05-01T12:59:00Z", "/"), sent_at=ahead_ms)
    assert shop.sessions()[0]["started_at"] == T


def test_bad_sent_at_is_a_400(relay: Relay) -> None:
    response = relay.post(page_view(T, "/"), sent_at="yesterday")
    assert response.status_code == 400
    assert response.json()["param"] == "sent_at"


def test_invalid_events_are_counted_and_dropped(relay: Relay, shop: ShopApi) -> None:
    result = relay.send(
        page_view(T, "/"),
        envelope("NOT_A_TYPE", T),
        envelope("ADD_TO_CART", T, data={"product_id": "x"}),  # price missing
        "not an object",  # type: ignore[arg-type]
        page_view("2026-05-01T12:10:00Z", "/future"),  # over 5 minutes ahead
        purchase(T),
    )
    assert (result["accepted"], result["invalid"]) == (2, 4)
    assert [error["param"] for error in result["errors"]] == [
        "events[1].event",
        "events[2].data.price",
        "events[3]",
        "events[4].ts",
    ]
    [session] = shop.sessions()
    assert session["converted"] is True


def test_repeated_event_ids_are_stored_once(relay: Relay, shop: ShopApi) -> None:
    first = page_view(T, "/", event_id="evt-client-1")
    assert relay.send(first, first)["duplicates"] == 1
    again = relay.send(first, page_view(T, "/cart", event_id="evt-client-2"))
    assert (again["accepted"], again["duplicates"]) == (1, 1)
    [session] = shop.sessions()
    assert len(shop.detail(session["id"])["events"]) == 2


def test_body_over_the_cap_is_a_413(relay: Relay, runtime: Runtime) -> None:
    padding = "x" * runtime.settings.max_body_bytes
    response = relay.raw(orjson.dumps({"site_key": relay.site_key, "events": [], "p": padding}))
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"
    assert response.headers["access-control-allow-origin"] == "*"


def test_secret_key_in_the_body_is_a_401(relay: Relay, site: CreatedSite) -> None:
    for key in (site.secret_key_live, "pk_live_madeup", "", 42):
        response = relay.post(page_view(T, "/"), site_key=key)
        assert response.status_code == 401, key
        assert response.json()["error"] == "Unauthorized"
    assert relay.post(page_view(T, "/")).status_code == 200  # the fixture's own key


def test_site_key_as_bearer_is_a_401(client: TestClient, site: CreatedSite) -> None:
    headers = {"Authorization": f"Bearer {site.site_key_live}"}
    assert client.get("/v1/sessions", headers=headers).status_code == 401
    assert client.post("/v1/events", headers=headers, json={"events": []}).status_code == 401


def test_test_key_writes_test_mode(client: TestClient, site: CreatedSite, shop: ShopApi) -> None:
    Relay(client, site.site_key_test).send(page_view(T, "/"))
    assert shop.sessions() == []
    assert len(ShopApi(client, site.secret_key_test).sessions()) == 1


def test_bots_and_headless_browsers_are_excluded(relay: Relay, shop: ShopApi) -> None:
    bots = (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/131.0.0.0 Safari/537.36",
    )
    for number, user_agent in enumerate(bots):
        result = relay.send(
            page_view(T, "/", session=f"ses_bot{number}"), headers={"user-agent": user_agent}
        )
        assert result["accepted"] == 1  # stored, flagged
    relay.send(page_view(T, "/", session="ses_human"))
    assert len(shop.sessions()) == 1


def test_a_bot_seen_later_hides_the_session(relay: Relay, shop: ShopApi) -> None:
    relay.send(page_view("2026-05-01T11:58:00Z", "/"))
    relay.send(page_view(T, "/cart"), headers={"user-agent": "Googlebot/2.1"})
    assert shop.sessions() == []


def test_visitor_context_is_kept_but_not_the_ip(
    relay: Relay, runtime: Runtime, site: CreatedSite
) -> None:
    address = "203.0.113.77"
    relay.send(page_view(T, "/"), headers={"x-forwarded-for": address, "x-real-ip": address})
    with runtime.database.read() as connection:
        session = (
            connection.execute(select(sessions).where(sessions.c.site_id == site.site_id))
            .mappings()
            .one()
        )
        event = (
            connection.execute(select(events).where(events.c.site_id == site.site_id))
            .mappings()
            .one()
        )
    assert (session["browser"], session["os"], session["device"]) == ("Chrome", "Windows", None)
    assert session["is_bot"] is False
    stored = " ".join(str(value) for value in [*session.values(), *event.values()])
    assert address not in stored and "testclient" not in stored


def test_allow_list_of_origins(relay: Relay, runtime: Runtime, site: CreatedSite) -> None:
    from elnudge.sites.origins import set_allowed_origins

    with runtime.database.write() as connection:
        set_allowed_origins(connection, site.site_id, [ORIGIN + "/", "https://m.shop.example"])
    assert relay.post(page_view(T, "/")).status_code == 200
    assert relay.post(page_view(T, "/"), headers={"origin": "HTTPS://SHOP.EXAMPLE"}).is_success
    refused = relay.post(page_view(T, "/"), headers={"origin": "https://evil.example"})
    assert refused.status_code == 403
    assert refused.json()["error"] == "Forbidden"
    assert refused.headers["access-control-allow-origin"] == "*"
    assert relay.post(page_view(T, "/"), headers={"origin": "null"}).status_code == 403
    with runtime.database.write() as connection:
        set_allowed_origins(connection, site.site_id, [])
    assert relay.post(page_view(T, "/"), headers={"origin": "https://evil.example"}).is_success


def test_nudge_shown_in_another_session_is_dropped_not_fatal(relay: Relay) -> None:
    shown = envelope("NUDGE_SHOWN", T, data={"nudge_id": "nudg_abc", "type": "toast"})
    relay.send(shown)
    elsewhere = {**shown, "session_id": "ses_other"}
    result = relay.send(elsewhere, page_view(T, "/", session="ses_other"))
    assert (result["accepted"], result["invalid"]) == (1, 1)
    assert result["errors"][0]["param"] == "events[0].data.nudge_id"


def test_the_relay_is_in_the_openapi_document(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/relay"]["post"]
    assert {"200", "400", "401", "403", "413", "429"} <= set(operation["responses"])
    assert set(operation["requestBody"]["content"]) == {"application/json", "text/plain"}
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response_schema["$ref"].endswith("/RelayResponse")


def test_sites_are_isolated(
    client: TestClient, runtime: Runtime, relay: Relay, site: CreatedSite
) -> None:
    from elnudge.provisioning import create_site

    with runtime.database.write() as connection:
        other = create_site(connection, name="Other", plan="starter", now_ms=runtime.clock.now_ms())
    # The same client session key on two sites: two separate sessions, each site sees its own.
    relay.send(page_view(T, "/", session="ses_shared"), page_view(T, "/a", session="ses_shared"))
    Relay(client, other.site_key_live).send(page_view(T, "/", session="ses_shared"))
    [mine] = ShopApi(client, site.secret_key_live).sessions()
    [theirs] = ShopApi(client, other.secret_key_live).sessions()
    assert (mine["page_count"], theirs["page_count"]) == (2, 1)
    assert mine["id"] != theirs["id"]


def test_a_revoked_site_key_is_a_401(relay: Relay, runtime: Runtime, site: CreatedSite) -> None:
    from elnudge.keys import repository, tokens
    from elnudge.keys.service import revoke_key

    with runtime.database.write() as connection:
        row = repository.find_by_hash(connection, tokens.hash_key(site.site_key_live))
        assert row is not None
        revoke_key(connection, row["key_id"], now_ms=runtime.clock.now_ms())
    assert relay.post(page_view(T, "/")).status_code == 401
