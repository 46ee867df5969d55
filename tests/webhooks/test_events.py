"""Events that ingestion queues in its own transaction: `session.converted` once per session,
`usage.allowance_80`/`_100` once per month; test mode queues nothing; erasure removes the
deliveries that name an erased session."""

from __future__ import annotations

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select

from elnudge.db.tables import webhook_deliveries
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.webhooks import service
from tests.storefront import (
    Relay,
    ShopApi,
    nudge_reaction,
    nudge_shown,
    page_view,
    purchase,
)


def queued(runtime: Runtime, site_id: str) -> list[dict[str, object]]:
    with runtime.database.read() as connection:
        rows = connection.execute(
            select(webhook_deliveries.c.event, webhook_deliveries.c.payload)
            .where(webhook_deliveries.c.site_id == site_id)
            .order_by(webhook_deliveries.c.delivery_id)
        )
        return [{"event": event, **orjson.loads(payload)} for event, payload in rows]


def endpoint(runtime: Runtime, site: CreatedSite) -> None:
    with runtime.database.write() as connection:
        service.create_endpoint(
            connection,
            site.site_id,
            url="https://93.184.215.14/hooks",
            events=[],
            allow_local=False,
            now_ms=runtime.clock.now_ms(),
        )


def test_a_conversion_is_announced_once(runtime: Runtime, site: CreatedSite, shop: ShopApi) -> None:
    endpoint(runtime, site)
    shop.ingest(page_view("2026-04-30T10:00:00Z", "/", session="s", visitor="cust_9"))
    assert queued(runtime, site.site_id) == []
    order = {"value": 42.5, "currency": "EUR", "item_count": 1, "order_id": "1001"}
    shop.ingest(
        {**purchase("2026-04-30T10:05:00Z", session="s"), "data": order},
    )
    shop.ingest(purchase("2026-04-30T10:06:00Z", session="s"))  # a second purchase: no news
    [announced] = queued(runtime, site.site_id)
    [session] = shop.sessions()
    assert announced["event"] == "session.converted" and announced["site_id"] == site.site_id
    assert announced["data"] == {
        "session_id": session["id"],
        "visitor_id": "cust_9",
        "converted_at": "2026-04-30T10:05:00Z",
        "value": 42.5,
        "currency": "EUR",
        "order_id": "1001",
    }
    # Erasing the visitor also removes the queued delivery that names them.
    shop.client.delete("/v1/visitors/cust_9", headers=shop.headers)
    assert queued(runtime, site.site_id) == []


def test_test_mode_and_sites_without_endpoints_queue_nothing(
    runtime: Runtime, site: CreatedSite, shop: ShopApi, client: TestClient
) -> None:
    shop.ingest(purchase("2026-04-30T10:05:00Z", session="a"))
    endpoint(runtime, site)
    ShopApi(client, site.secret_key_test).ingest(purchase("2026-04-30T10:05:00Z", session="b"))
    assert queued(runtime, site.site_id) == []


def test_allowance_crossings_are_announced_once(
    runtime: Runtime, site: CreatedSite, shop: ShopApi
) -> None:
    from elnudge.sites.engine import update_engine_settings

    endpoint(runtime, site)
    with runtime.database.write() as connection:
        update_engine_settings(connection, site.site_id, {"monthly_sessions": 5})
    for index in range(7):
        shop.ingest(page_view("2026-05-01T10:00:00Z", "/", session=f"s{index}"))
    events = sorted((str(row["event"]), row["data"]) for row in queued(runtime, site.site_id))
    assert events == [
        ("usage.allowance_100", {"month": "2026-05", "percent": 100}),
        ("usage.allowance_80", {"month": "2026-05", "percent": 80}),
    ]


def test_the_sdks_first_event_announces_the_install_once(
    runtime: Runtime, site: CreatedSite, shop: ShopApi, relay: Relay
) -> None:
    endpoint(runtime, site)
    shop.ingest(page_view("2026-05-01T11:00:00Z", "/", session="backend"))  # not the SDK
    assert queued(runtime, site.site_id) == []
    relay.send(page_view("2026-05-01T11:59:00Z", "/", session="shopper"))
    relay.send(page_view("2026-05-01T11:59:30Z", "/", session="shopper"))
    [installed] = queued(runtime, site.site_id)
    assert installed["event"] == "app.installed"
    assert installed["data"] == {
        "site_id": site.site_id,
        "plan": "starter",
        "timestamp": "2026-05-01T12:00:00Z",
    }


def test_a_credited_nudge_is_announced_with_the_conversion(
    runtime: Runtime, site: CreatedSite, shop: ShopApi
) -> None:
    endpoint(runtime, site)
    nudge = "nudg_01J1CCCCCCCCCCCCCCCCCCCCCC"
    first = {"session": "tab1", "visitor": "cust_5"}
    shop.ingest(
        page_view("2026-04-30T10:00:00Z", "/", **first),
        nudge_shown("2026-04-30T10:01:00Z", nudge, "exit_modal", **first),
        nudge_reaction("NUDGE_CLICKED", "2026-04-30T10:02:00Z", nudge, **first),
    )
    shop.ingest(purchase("2026-04-30T10:20:00Z", session="tab2", visitor="cust_5"))
    by_event = {row["event"]: row["data"] for row in queued(runtime, site.site_id)}
    sessions = {s["started_at"]: s["id"] for s in shop.sessions(**{"from": "2026-04-01"})}
    assert by_event["nudge.influenced_conversion"] == {
        "nudge_id": nudge,
        "type": "exit_modal",
        "session_id": sessions["2026-04-30T10:00:00Z"],
        "conversion_session_id": sessions["2026-04-30T10:20:00Z"],
        "converted_at": "2026-04-30T10:20:00Z",
        "value": 129.0,
        "currency": "USD",
    }
    assert set(by_event) == {"session.converted", "nudge.influenced_conversion"}
