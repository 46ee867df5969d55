"""`POST /v1/nudges/preview`: what the engine would decide, stored nowhere, and the same as
what the relay then decides for the same events."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from elnudge.clock import FrozenClock
from elnudge.db.tables import nudge_offers, sessions
from elnudge.nudges.schemas import PreviewResponse
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.sites.engine import update_engine_settings
from tests.nudges.test_relay_decisions import at, product_visit
from tests.storefront import Relay, ShopApi, envelope, page_view


@pytest.fixture(autouse=True)
def no_holdout(runtime: Runtime, site: CreatedSite) -> None:
    with runtime.database.write() as connection:
        update_engine_settings(connection, site.site_id, {"holdout_percent": 0})


def preview(shop: ShopApi, body: Any) -> Any:
    return shop.client.post("/v1/nudges/preview", headers=shop.headers, json=body)


def stored(runtime: Runtime, site: CreatedSite) -> tuple[int, int]:
    with runtime.database.read() as connection:
        offers = select(func.count()).where(nudge_offers.c.site_id == site.site_id)
        rows = select(func.count()).where(sessions.c.site_id == site.site_id)
        return connection.execute(offers).scalar_one(), connection.execute(rows).scalar_one()


@pytest.mark.parametrize(
    "script",
    [
        "low_stock",
        "checkout",
        "exit_with_cart",
        "nothing",
    ],
)
def test_a_preview_equals_what_the_relay_then_decides(
    shop: ShopApi,
    relay: Relay,
    clock: FrozenClock,
    runtime: Runtime,
    site: CreatedSite,
    script: str,
) -> None:
    events = _script(script, clock)
    answer = preview(shop, {"events": events})
    assert answer.status_code == 200, answer.text
    PreviewResponse.model_validate(answer.json())
    previewed = answer.json()["data"]
    assert stored(runtime, site) == (0, 0)  # a preview stores nothing
    decided = relay.send(*events)["nudge"]
    if decided is None:
        assert previewed["nudge"] is None and previewed["reasons"]
    else:
        assert {**previewed["nudge"], "nudge_id": decided["nudge_id"]} == decided
        assert previewed["rule"] == decided["rule"] and previewed["reasons"] == []


def _script(name: str, clock: FrozenClock) -> list[dict[str, Any]]:
    line = {"product_id": "a", "product_name": "A", "price": 50.0, "currency": "USD", "quantity": 1}
    return {
        "low_stock": product_visit(clock, "p1"),
        "checkout": [page_view(at(clock), "/checkout", session="p1")],
        "exit_with_cart": [
            page_view(at(clock, 3), "/products/a", session="p1"),
            envelope("ADD_TO_CART", at(clock, 2), "/products/a", line, session="p1"),
            envelope("EXIT_INTENT", at(clock), "/products/a", {}, session="p1"),
        ],
        "nothing": [page_view(at(clock), "/about", session="p1")],
    }[name]


def test_a_stored_session_is_previewed_as_it_stands(
    shop: ShopApi, relay: Relay, clock: FrozenClock
) -> None:
    relay.send(*product_visit(clock, "s1"))  # the low-stock toast is offered
    [session] = shop.sessions()
    answer = preview(shop, {"session_id": session["id"]}).json()["data"]
    assert (answer["nudge"], answer["reasons"]) == (None, ["no_trigger"])  # answered already
    clock.advance(seconds=30)
    shop.ingest(envelope("IDLE", at(clock), "/products/alpha", {"seconds": 30}, session="s1"))
    answer = preview(shop, {"session_id": session["id"]}).json()["data"]
    assert (answer["nudge"], answer["reasons"]) == (None, ["cooldown"])  # a fresh signal, too soon
    clock.advance(seconds=31)
    answer = preview(shop, {"session_id": session["id"]}).json()["data"]
    assert answer["nudge"]["rule"] == answer["rule"] == "idle_on_product"


def test_a_test_key_previews_what_live_mode_would_draw(
    client: TestClient, site: CreatedSite, clock: FrozenClock
) -> None:
    test_shop = ShopApi(client, site.secret_key_test)
    answer = preview(test_shop, {"events": product_visit(clock, "t1")}).json()["data"]
    assert answer["nudge"]["rule"] == "low_stock"
    relayed = Relay(client, site.site_key_test).send(*product_visit(clock, "t1"))
    assert relayed["test_decision"] == answer["nudge"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"events": []}, "events"),
        ({"events": [{"event": "PAGE_VIEW"}]}, "events[0].ts"),
        ({"events": "nope"}, "events"),
        ({"session_id": "sess_x", "events": []}, "events"),
        ({"visitor_id": "", "events": [{}]}, "visitor_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_bodies_are_400s_naming_the_field(
    shop: ShopApi, body: dict[str, Any], param: str
) -> None:
    response = preview(shop, body)
    assert response.status_code == 400, response.text
    assert response.json()["param"] == param


def test_an_unknown_or_foreign_session_is_the_same_404(
    client: TestClient, shop: ShopApi, relay: Relay, site: CreatedSite, clock: FrozenClock
) -> None:
    relay.send(*product_visit(clock, "s1"))
    [session] = shop.sessions()
    foreign = preview(ShopApi(client, site.secret_key_test), {"session_id": session["id"]})
    unknown = preview(shop, {"session_id": "sess_01J1AAAAAAAAAAAAAAAAAAAAAA"})
    garbage = preview(shop, {"session_id": 42})
    for response in (foreign, unknown, garbage):
        assert response.status_code == 404
        body = response.json()
        assert (body["error"], body["message"], body["param"]) == (
            "NotFound",
            "No such session.",
            "session_id",
        )
