"""What the SDK sends for the nudge engine: events that can trigger a nudge go at once (one
request per task), the rest wait for the 5 s batch; IDLE after 30 s without activity, once per
idle spell; the script tag's quiet zones; and, with a test key, the logged test decision.

The page's clock is frozen (`page.clock`): its timers run only when a test moves it, so no test
waits for real time and "not sent yet" means exactly that.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.browser.conftest import LiveShop
from tests.browser.nudges import INSTRUMENT, ScriptedRelay, Widget, nudge, on_event, settle

PRODUCT = "/products/tempo-racer-3"
LINE = {
    "product_id": "prod_tempo-racer-3",
    "product_name": "Tempo Racer 3",
    "price": 159.0,
    "currency": "USD",
    "quantity": 1,
}
# Events that can make the engine offer a nudge, with valid data.
TRIGGERS: list[tuple[str, dict[str, Any]]] = [
    ("PAGE_VIEW", {"referrer": "", "title": "Tempo Racer 3"}),
    ("PRODUCT_VIEW", {"product_id": "prod_tempo-racer-3", "stock": 3}),
    ("ADD_TO_CART", LINE),
    ("CART_ADD", LINE),
    ("REMOVE_FROM_CART", LINE),
    ("CART_REMOVE", LINE),
    ("CHECKOUT_STAGE", {"stage": "payment"}),
    ("EXIT_INTENT", {}),
    ("IDLE", {"seconds": 30}),
    ("SCROLL_DEPTH", {"depth": 75}),
    ("SCROLL_DEPTH", {"depth": 100}),
]
# Events that wait for the next 5-second batch.
BATCHED: list[tuple[str, dict[str, Any]]] = [
    ("CUSTOM", {"name": "newsletter"}),
    ("CLICK", {"tag": "a", "classes": "", "text": "Shop"}),
    ("ELEMENT_HOVER", {"selector": "a.card", "duration_ms": 2400}),
    ("SCROLL_DEPTH", {"depth": 25}),
    ("SCROLL_DEPTH", {"depth": 50}),
    ("PURCHASE", {"value": 159.0, "currency": "USD", "item_count": 1}),
]
START = datetime(2026, 12, 1, 10, 0, 0)


@pytest.fixture
def frozen(page: Any) -> Any:
    """The page, instrumented, with its clock frozen before it loads."""
    page.add_init_script(INSTRUMENT)
    page.clock.install(time=START)
    page.clock.pause_at(START + timedelta(seconds=5))
    return page


def calls(page: Any) -> int:
    sent: int = page.evaluate("relayCalls.sent")
    return sent


def track(page: Any, event: str, data: dict[str, Any]) -> None:
    page.evaluate("([event, data]) => __eln('track', event, data)", [event, data])


def test_triggers_are_sent_at_once_and_other_events_with_the_5_second_batch(
    frozen: Any, live_shop: LiveShop
) -> None:
    page = frozen
    relay = ScriptedRelay(page)
    page.goto(live_shop.shop + PRODUCT)
    page.clock.run_for(1)
    settle(page)
    # The page view and the shop's product view right after it: one request.
    [first] = relay.bodies
    assert [event["event"] for event in first["events"]] == ["PAGE_VIEW", "PRODUCT_VIEW"]
    assert first["events"][1]["data"] == {
        "product_id": "prod_tempo-racer-3",
        "product_name": "Tempo Racer 3",
        "price": 159.0,
        "currency": "USD",
        "stock": 3,
    }

    for event, data in BATCHED:
        track(page, event, data)
    page.clock.run_for(1)
    assert calls(page) == 1  # waiting for the batch
    page.clock.run_for(5_000)
    settle(page)
    assert calls(page) == 2
    assert [(e["event"], e["data"]) for e in relay.bodies[1]["events"]] == BATCHED

    for count, (event, data) in enumerate(TRIGGERS, start=3):
        track(page, event, data)
        page.clock.run_for(1)  # the end of the task: no batch timer ran
        assert calls(page) == count, event
        settle(page)
        assert [(e["event"], e["data"]) for e in relay.bodies[-1]["events"]] == [(event, data)]

    track(page, "CUSTOM", {"name": "with a trigger"})
    track(page, "EXIT_INTENT", {})
    page.clock.run_for(1)
    settle(page)
    assert [e["event"] for e in relay.bodies[-1]["events"]] == ["CUSTOM", "EXIT_INTENT"]


def test_a_trigger_during_a_request_goes_as_soon_as_it_is_answered(
    frozen: Any, live_shop: LiveShop
) -> None:
    page = frozen
    relay = ScriptedRelay(page)
    page.goto(live_shop.shop + PRODUCT)
    page.clock.run_for(1)
    track(page, "ADD_TO_CART", LINE)  # while the page view's request may still be out
    page.clock.run_for(1)
    relay.wait_for("ADD_TO_CART")
    assert calls(page) == 2


def test_idle_is_sent_after_30_seconds_without_activity_once_per_spell(
    frozen: Any, live_shop: LiveShop
) -> None:
    page = frozen
    relay = ScriptedRelay(page)
    page.goto(live_shop.shop + PRODUCT)
    page.clock.run_for(29_000)
    settle(page)
    assert relay.events("IDLE") == []
    page.clock.run_for(1_500)
    [idle] = relay.wait_for("IDLE")
    assert idle["data"] == {"seconds": 30}
    page.clock.run_for(120_000)  # still idle: the same spell
    settle(page)
    assert len(relay.events("IDLE")) == 1

    page.mouse.move(200, 300)  # activity: a new spell
    page.clock.run_for(20_000)
    page.keyboard.press("Shift")
    page.clock.run_for(20_000)
    # A synthetic wheel: Playwright's mouse.wheel returns before the page has handled it, and
    # the fake clock could run past the idle timer first (the test then flaked).
    page.dispatch_event("html", "wheel")
    page.clock.run_for(20_000)
    page.mouse.click(5, 400)
    page.clock.run_for(29_000)
    settle(page)
    assert len(relay.events("IDLE")) == 1  # never 30 s without activity
    page.clock.run_for(1_500)
    relay.wait_for("IDLE", count=2)


def test_idle_triggers_a_nudge_on_the_spot(frozen: Any, live_shop: LiveShop) -> None:
    page = frozen
    page.set_viewport_size({"width": 1280, "height": 800})
    relay = ScriptedRelay(page, on_event("IDLE", nudge("chat_bubble")))
    widget = Widget(page)
    page.goto(live_shop.shop + PRODUCT)
    page.clock.run_for(30_000)
    relay.wait_for("IDLE")
    widget.wait("bubble")


def test_the_script_tag_s_quiet_zones_go_with_every_request(page: Any, live_shop: LiveShop) -> None:
    relay = ScriptedRelay(page)
    page.goto(live_shop.shop + PRODUCT)  # the demo shop: no nudges after payment
    relay.wait_for("PRODUCT_VIEW")
    assert relay.bodies[0]["quiet_zones"] == ["/shop/thank-you"]

    tag = '<script src="/sdk.js" data-site-key="{key}" data-quiet-zones="{zones}"></script>'
    pages = {
        "/plain": tag.replace(' data-quiet-zones="{zones}"', ""),
        "/zoned": tag.replace("{zones}", " /account/* , /checkout/thank-you,, "),
    }
    for path, html in pages.items():
        page.route(f"**{path}", _serve(html.replace("{key}", live_shop.site.site_key_live)))
    page.goto(live_shop.base + "/zoned")
    relay.wait_for("PAGE_VIEW", count=2)
    assert relay.bodies[-1]["quiet_zones"] == ["/account/*", "/checkout/thank-you"]
    page.goto(live_shop.base + "/plain")
    relay.wait_for("PAGE_VIEW", count=3)
    assert "quiet_zones" not in relay.bodies[-1]


def _serve(html: str) -> Any:
    return lambda route: route.fulfill(content_type="text/html", body=html)


def test_a_test_key_logs_the_test_decision_and_draws_nothing(
    page: Any, live_shop: LiveShop
) -> None:
    page.add_init_script(INSTRUMENT)
    relay = ScriptedRelay(page)
    would_show = nudge("toast")
    relay.test_decision = {k: v for k, v in would_show.items() if k != "nudge_id"}
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    page.goto(live_shop.base + "/tshop" + PRODUCT)  # the shop with the site's pk_test_ key
    relay.wait_for("PRODUCT_VIEW")
    settle(page)
    assert relay.bodies[0]["site_key"].startswith("pk_test_")
    assert '[elNudge] test decision: toast (low_stock) "Only 3 left in stock"' in [
        text.split(" {")[0].split(" JSHandle")[0] for text in logged
    ]
    assert Widget(page).drawn() == []
    page.evaluate("window.__eln.flush()")
    settle(page)
    assert relay.nudge_events() == []
