"""POST /v1/events: validation, all-or-nothing batches, idempotency, derived fields."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from elnudge.db.tables import events
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from tests.storefront import ShopApi, add_to_cart, envelope, page_view, purchase


def stored_events(runtime: Runtime, site: CreatedSite) -> int:
    with runtime.database.read() as connection:
        count = connection.execute(
            select(func.count()).select_from(events).where(events.c.site_id == site.site_id)
        ).scalar_one()
    return int(count)


def test_repeated_event_ids_are_stored_once(
    shop: ShopApi, runtime: Runtime, site: CreatedSite
) -> None:
    batch = [page_view(f"2026-04-20T10:0{i}:00Z", f"/p{i}", event_id=f"e{i}") for i in range(5)]
    assert shop.ingest(*batch) == {"accepted": 5, "duplicates": 0}
    assert shop.ingest(*batch) == {"accepted": 0, "duplicates": 5}
    assert shop.ingest(
        batch[0], batch[0], page_view("2026-04-20T10:09:00Z", "/x", event_id="e9")
    ) == {
        "accepted": 1,
        "duplicates": 2,
    }
    assert stored_events(runtime, site) == 6
    [session] = shop.sessions()
    assert session["page_count"] == 6


def test_a_batch_with_one_bad_event_stores_nothing(
    shop: ShopApi, runtime: Runtime, site: CreatedSite
) -> None:
    good = [page_view("2026-04-20T10:00:00Z", "/a"), page_view("2026-04-20T10:01:00Z", "/b")]
    bad = envelope(
        "ADD_TO_CART", "2026-04-20T10:02:00Z", "/p", {"product_id": "p", "price": "cheap"}
    )
    response = shop.send(*good, bad, good[0])
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "InvalidRequest"
    assert body["param"] == "events[2].data.currency" or body["param"] == "events[2].data.price"
    assert "events[2]" in body["message"]
    assert stored_events(runtime, site) == 0
    assert shop.sessions() == []


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"event": "TELEPORT"}, "events[0].event"),
        ({"event": None}, "events[0].event"),
        ({"ts": "tomorrow"}, "events[0].ts"),
        ({"ts": "2026-05-01T12:06:00Z"}, "events[0].ts"),  # more than 5 minutes ahead
        ({"ts": "2025-01-01T00:00:00Z"}, "events[0].ts"),  # older than storage retention
        ({"session_id": ""}, "events[0].session_id"),
        ({"session_id": "x" * 129}, "events[0].session_id"),
        ({"url": "javascript:alert(1)"}, "events[0].url"),
        ({"url": "/a\x00b"}, "events[0].url"),
        ({"data": []}, "events[0].data"),
        ({"colour": "red"}, "events[0].colour"),
        ({"event": "PRODUCT_VIEW", "data": {}}, "events[0].data.product_id"),
        ({"event": "CHECKOUT_STAGE", "data": {"stage": "shipping"}}, "events[0].data.stage"),
        ({"event": "SCROLL_DEPTH", "data": {"depth": 33}}, "events[0].data.depth"),
        ({"event": "CUSTOM", "data": {"label": "x"}}, "events[0].data.name"),
        ({"event": "IDLE", "data": {}}, "events[0].data.seconds"),
        ({"event": "IDLE", "data": {"seconds": 29}}, "events[0].data.seconds"),
        (
            {"event": "PRODUCT_VIEW", "data": {"product_id": "p1", "stock": -1}},
            "events[0].data.stock",
        ),
        (  # the catalogue keeps stock in 32 bits: one more is a 400, not a 500
            {"event": "PRODUCT_VIEW", "data": {"product_id": "p1", "stock": 2**31}},
            "events[0].data.stock",
        ),
        (
            {"event": "PRODUCT_VIEW", "data": {"product_id": "p1", "price": "cheap"}},
            "events[0].data.price",
        ),
        (
            {"event": "NUDGE_SHOWN", "data": {"nudge_id": "abc", "type": "toast"}},
            "events[0].data.nudge_id",
        ),
        (
            {"event": "NUDGE_SHOWN", "data": {"nudge_id": "nudg_1", "type": "popup"}},
            "events[0].data.type",
        ),
        (
            {"event": "PURCHASE", "data": {"value": 10, "currency": "usd", "item_count": 1}},
            "events[0].data.currency",
        ),
        (
            {"event": "PURCHASE", "data": {"value": True, "currency": "USD", "item_count": 1}},
            "events[0].data.value",
        ),
    ],
)
def test_invalid_events_name_index_and_field(
    shop: ShopApi, change: dict[str, Any], param: str
) -> None:
    event = {**page_view("2026-04-20T10:00:00Z", "/"), **change}
    response = shop.send(event)
    assert response.status_code == 400, response.text
    assert response.json()["param"] == param


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "events"),
        ({"events": []}, "events"),
        ({"events": {}}, "events"),
        ([], "events"),
        ({"events": [1]}, "events[0]"),
        ({"events": [], "extra": 1}, "extra"),
    ],
)
def test_malformed_bodies_are_400(shop: ShopApi, body: Any, param: str) -> None:
    response = shop.client.post("/v1/events", headers=shop.headers, json=body)
    assert response.status_code == 400 and response.json()["param"] == param


def test_body_that_is_not_json_is_400(shop: ShopApi) -> None:
    response = shop.client.post("/v1/events", headers=shop.headers, content=b"{not json")
    assert response.status_code == 400 and response.json()["param"] == "body"


def test_more_than_1000_events_is_400(shop: ShopApi) -> None:
    batch = [page_view("2026-04-20T10:00:00Z", "/")] * 1001
    response = shop.send(*batch)
    assert response.status_code == 400 and response.json()["param"] == "events"


def test_body_over_one_mebibyte_is_413(shop: ShopApi, runtime: Runtime, site: CreatedSite) -> None:
    big = page_view("2026-04-20T10:00:00Z", "/", data={"title": "x" * 500})
    response = shop.send(*([big] * 2100))
    assert response.status_code == 413 and response.json()["error"] == "PayloadTooLarge"
    assert stored_events(runtime, site) == 0


def test_aliases_and_urls_are_normalised(shop: ShopApi) -> None:
    cart = add_to_cart("2026-04-20T10:01:00Z")
    cart["event"] = "CART_ADD"
    shop.ingest(
        page_view("2026-04-20T10:00:00Z", "https://shop.example/products/a?utm=x#reviews"),
        cart,
        envelope("CART_REMOVE", "2026-04-20T10:02:00Z", "/products/a", cart["data"]),
        page_view("2026-04-20T10:03:00", "/"),  # no offset: UTC
    )
    [session] = shop.sessions()
    detail = shop.detail(session["id"])
    assert [(e["type"], e["url"]) for e in detail["events"]] == [
        ("PAGE_VIEW", "/products/a?utm=x"),
        ("ADD_TO_CART", "/products/ultra-stride-v2"),
        ("REMOVE_FROM_CART", "/products/a"),
        ("PAGE_VIEW", "/"),
    ]
    assert detail["ended_at"] == "2026-04-20T10:03:00Z"


def test_distinct_pages_ignore_query_fragment_and_trailing_slash(shop: ShopApi) -> None:
    paths = ["/a", "/a/", "/a?x=1", "/a#top", "/b", "/B", "/", "/b/c", "/b/c/"]
    shop.ingest(*[page_view(f"2026-04-20T10:{i:02d}:00Z", path) for i, path in enumerate(paths)])
    [session] = shop.sessions()
    assert session["page_count"] == 5  # /a, /b, /B, /, /b/c


def test_only_page_views_count_as_pages(shop: ShopApi) -> None:
    shop.ingest(
        page_view("2026-04-20T10:00:00Z", "/a"),
        envelope("PRODUCT_VIEW", "2026-04-20T10:01:00Z", "/products/x", {"product_id": "x"}),
        envelope("SCROLL_DEPTH", "2026-04-20T10:02:00Z", "/other", {"depth": 50}),
    )
    [session] = shop.sessions()
    assert session["page_count"] == 1
    assert session["ended_at"] == "2026-04-20T10:02:00Z"


def test_converted_only_with_a_purchase(shop: ShopApi) -> None:
    shop.ingest(
        page_view("2026-04-20T10:00:00Z", "/", session="buyer"),
        purchase("2026-04-20T10:05:00Z", session="buyer"),
    )
    shop.ingest(
        page_view("2026-04-20T11:00:00Z", "/", session="browser"),
        add_to_cart("2026-04-20T11:01:00Z", session="browser"),
    )
    by_start = {s["started_at"]: s for s in shop.sessions()}
    assert by_start["2026-04-20T10:00:00Z"]["converted"] is True
    assert by_start["2026-04-20T11:00:00Z"]["converted"] is False


def test_intent_score_rises_along_a_funnel_and_bounce_scores_low(shop: ShopApi) -> None:
    shop.ingest(page_view("2026-04-20T09:00:00Z", "/", session="bounce"))
    funnel = [
        page_view("2026-04-20T10:00:00Z", "/", session="f"),
        envelope(
            "PRODUCT_VIEW", "2026-04-20T10:01:00Z", "/products/a", {"product_id": "a"}, session="f"
        ),
        add_to_cart("2026-04-20T10:03:00Z", session="f"),
        envelope(
            "CHECKOUT_STAGE",
            "2026-04-20T10:04:00Z",
            "/checkout",
            {"stage": "checkout"},
            session="f",
        ),
        purchase("2026-04-20T10:06:00Z", session="f"),
    ]
    shop.ingest(*funnel)
    by_start = {s["started_at"]: s["intent_score"] for s in shop.sessions()}
    assert by_start["2026-04-20T09:00:00Z"] < 20
    assert by_start["2026-04-20T10:00:00Z"] >= 90


def test_event_ids_are_deduplicated_per_mode(
    shop: ShopApi, client: TestClient, site: CreatedSite
) -> None:
    test_mode = ShopApi(client, site.secret_key_test)
    order = purchase("2026-04-20T10:05:00Z", event_id="order-1001")
    assert test_mode.ingest(order) == {"accepted": 1, "duplicates": 0}
    # The same order id in live mode is a different event: it must neither be dropped nor reveal
    # that test mode has it.
    assert shop.ingest(order) == {"accepted": 1, "duplicates": 0}
    assert shop.ingest(order) == {"accepted": 0, "duplicates": 1}
    assert [s["converted"] for s in shop.sessions()] == [True]


def test_idle_and_a_product_view_with_stock_are_accepted(shop: ShopApi) -> None:
    product = {"product_id": "p1", "product_name": "Trail", "price": 99.5, "currency": "EUR"}
    response = shop.send(
        envelope("PRODUCT_VIEW", "2026-04-20T10:00:00Z", "/products/p1", {**product, "stock": 3}),
        envelope("IDLE", "2026-04-20T10:00:40Z", "/products/p1", {"seconds": 30}),
    )
    assert response.json() == {"accepted": 2, "duplicates": 0}
    [session] = shop.sessions()
    detail = shop.detail(session["id"])
    assert [event["type"] for event in detail["events"]] == ["PRODUCT_VIEW", "IDLE"]
