"""The relay answers with the engine's decisions for scripted sessions, on both backends: the
offer it records, the rules over time, test mode, the holdout, quiet zones, the allowance."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from elnudge.clock import FrozenClock
from elnudge.db.tables import nudge_offers, sessions, site_usage
from elnudge.engine import holdout_bucket
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.sites.engine import update_engine_settings
from elnudge.timestamps import format_timestamp_ms
from tests.storefront import Relay, ShopApi, envelope, nudge_reaction, nudge_shown, page_view

PRODUCT = "/products/alpha"
LOW_STOCK = {
    "product_id": "alpha",
    "product_name": "Alpha Trail",
    "price": 120.0,
    "currency": "USD",
    "stock": 2,
}


def at(clock: FrozenClock, seconds_ago: float = 1) -> str:
    return format_timestamp_ms(clock.now_ms() - int(seconds_ago * 1000))


def product_visit(clock: FrozenClock, session: str, **data: Any) -> list[dict[str, Any]]:
    return [
        page_view(at(clock, 2), PRODUCT, session=session),
        envelope("PRODUCT_VIEW", at(clock), PRODUCT, {**LOW_STOCK, **data}, session=session),
    ]


def settings(runtime: Runtime, site: CreatedSite, **changes: Any) -> None:
    with runtime.database.write() as connection:
        update_engine_settings(connection, site.site_id, changes)


@pytest.fixture(autouse=True)
def no_holdout(runtime: Runtime, site: CreatedSite) -> None:
    """No visitor held out, unless a test says so: the default 10% would hold out a random
    tenth of these tests' sessions (the bucket hashes the site's random id)."""
    settings(runtime, site, holdout_percent=0)


def session_of(runtime: Runtime, site: CreatedSite, client_key: str) -> str:
    with runtime.database.read() as connection:
        query = select(sessions.c.session_id).where(
            sessions.c.site_id == site.site_id, sessions.c.client_key == client_key
        )
        return str(connection.execute(query).scalar_one())


def offers(runtime: Runtime, site: CreatedSite) -> list[Any]:
    with runtime.database.read() as connection:
        query = select(nudge_offers).where(nudge_offers.c.site_id == site.site_id)
        return list(connection.execute(query.order_by(nudge_offers.c.offered_at)))


def test_a_low_stock_product_gets_a_toast_that_becomes_a_shown_nudge(
    relay: Relay, shop: ShopApi, clock: FrozenClock, runtime: Runtime, site: CreatedSite
) -> None:
    answer = relay.send(*product_visit(clock, "s1"))
    nudge = answer["nudge"]
    assert (nudge["type"], nudge["rule"], nudge["message"]) == (
        "toast",
        "low_stock",
        "Only 2 left in stock",
    )
    assert nudge["nudge_id"].startswith("nudg_") and len(nudge["nudge_id"]) == 31
    [offer] = offers(runtime, site)
    assert (offer.nudge_id, offer.held_out, offer.rule) == (nudge["nudge_id"], False, "low_stock")
    # An offer is not a shown nudge until the widget says so.
    [session] = shop.sessions()
    assert shop.detail(session["id"])["nudges"] == []
    relay.send(
        nudge_shown(at(clock), nudge["nudge_id"], "toast", PRODUCT, session="s1"),
        nudge_reaction("NUDGE_CLICKED", at(clock, 0.5), nudge["nudge_id"], PRODUCT, session="s1"),
    )
    [shown] = shop.detail(session["id"])["nudges"]
    assert (shown["nudge_id"], shown["outcome"]) == (nudge["nudge_id"], "clicked")


def test_sixty_seconds_between_proactive_offers_and_three_per_session(
    relay: Relay, clock: FrozenClock
) -> None:
    first = relay.send(*product_visit(clock, "s1"))["nudge"]
    assert first["rule"] == "low_stock"
    clock.advance(seconds=59.999)
    idle = envelope("IDLE", at(clock), PRODUCT, {"seconds": 30}, session="s1")
    assert relay.send(idle)["nudge"] is None  # cooldown
    clock.advance(ms=1)
    idle = envelope("IDLE", at(clock), PRODUCT, {"seconds": 30}, session="s1")
    second = relay.send(idle)["nudge"]
    assert second["rule"] == "idle_on_product" and second["type"] == "chat_bubble"
    rules = []
    for _ in range(4):
        clock.advance(seconds=61)
        exit_intent = envelope("EXIT_INTENT", at(clock), PRODUCT, {}, session="s1")
        scroll = envelope("SCROLL_DEPTH", at(clock), PRODUCT, {"depth": 100}, session="s1")
        answer = relay.send(scroll, exit_intent)["nudge"]
        rules.append(None if answer is None else answer["rule"])
    assert rules.count(None) == 3  # a third proactive offer at most, then nothing


def test_test_mode_draws_nothing_and_says_what_live_would(
    client: TestClient, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    answer = Relay(client, site.site_key_test).send(*product_visit(clock, "t1"))
    assert answer["nudge"] is None
    assert answer["test_decision"]["rule"] == "low_stock"
    assert "nudge_id" not in answer["test_decision"]
    [offer] = offers(runtime, site)
    assert offer.mode == "test"  # counted for test mode's own rules, invisible to live


def test_a_held_out_visitor_gets_nothing_and_the_offer_is_recorded(
    relay: Relay, clock: FrozenClock, runtime: Runtime, site: CreatedSite
) -> None:
    settings(runtime, site, holdout_percent=50)
    held = next(
        k for k in (f"ses_{n}" for n in range(100)) if holdout_bucket(site.site_id, k) < 0.5
    )
    shown = next(
        k for k in (f"ses_{n}" for n in range(100)) if holdout_bucket(site.site_id, k) >= 0.5
    )
    assert relay.send(*product_visit(clock, held))["nudge"] is None
    assert relay.send(*product_visit(clock, shown))["nudge"] is not None
    assert sorted((o.session_id, o.held_out) for o in offers(runtime, site)) == sorted(
        [(session_of(runtime, site, held), True), (session_of(runtime, site, shown), False)]
    )


def test_quiet_zones_of_the_site_win_over_the_tags(
    relay: Relay, clock: FrozenClock, runtime: Runtime, site: CreatedSite
) -> None:
    body = {"quiet_zones": ["/products/*"]}
    answer = relay.send(*product_visit(clock, "s1"), extra=body)
    assert answer["nudge"] is None  # the tag's zone, as the site has none
    settings(runtime, site, quiet_zones=["/checkout/*"])
    answer = relay.send(*product_visit(clock, "s2"), extra=body)
    assert answer["nudge"]["rule"] == "low_stock"  # the site's zones replace the tag's
    assert offers(runtime, site)[0].rule == "low_stock"


def test_the_sticky_bar_is_one_nudge_redrawn_on_each_checkout_page(
    relay: Relay, clock: FrozenClock
) -> None:
    first = relay.send(page_view(at(clock), "/checkout", session="s1"))["nudge"]
    assert (first["type"], first["rule"]) == ("sticky_bar", "checkout")
    clock.advance(seconds=5)
    again = relay.send(page_view(at(clock), "/checkout/payment", session="s1"))["nudge"]
    assert again["nudge_id"] == first["nudge_id"]
    clock.advance(seconds=5)
    relay.send(
        nudge_shown(at(clock, 2), first["nudge_id"], "sticky_bar", "/checkout", session="s1"),
        nudge_reaction("NUDGE_DISMISSED", at(clock), first["nudge_id"], "/checkout", session="s1"),
    )
    clock.advance(seconds=5)
    assert relay.send(page_view(at(clock), "/checkout/review", session="s1"))["nudge"] is None


def test_the_allowance_stops_nudges_for_new_sessions_and_is_recorded(
    relay: Relay, clock: FrozenClock, runtime: Runtime, site: CreatedSite
) -> None:
    settings(runtime, site, monthly_sessions=2)
    assert relay.send(*product_visit(clock, "s1"))["nudge"] is not None
    assert relay.send(*product_visit(clock, "s2"))["nudge"] is not None  # the last one allowed
    assert relay.send(*product_visit(clock, "s3"))["nudge"] is None
    with runtime.database.read() as connection:
        row = connection.execute(
            select(site_usage).where(site_usage.c.site_id == site.site_id)
        ).one()
    assert row.sessions == 3 and row.reached_100_at is not None and row.reached_80_at is not None


def test_nudges_off_answers_null_and_records_nothing(
    relay: Relay, clock: FrozenClock, runtime: Runtime, site: CreatedSite
) -> None:
    settings(runtime, site, nudges_enabled=False)
    assert relay.send(*product_visit(clock, "s1"))["nudge"] is None
    with runtime.database.read() as connection:
        count = select(func.count()).where(nudge_offers.c.site_id == site.site_id)
        assert connection.execute(count).scalar() == 0
