"""The engine end to end on the demo shop, in Chromium: nothing scripted. The real relay
decides, the real widget draws, and what the shopper does comes back through the Sessions
API. Each shopper is a new browser context (a new session); the server's clock is moved past
the engine's 60 s between proactive nudges instead of waiting for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from elnudge.sites.engine import update_engine_settings
from tests.browser.conftest import LiveShop, wait_for
from tests.browser.nudges import INSTRUMENT, Widget, settle

LOW_STOCK = "/products/tempo-racer-3"  # 3 left
PLENTY = "/products/daily-miles"  # 58 left
MARGIN = 20  # the widget's distance from the viewport's edges on a desktop


@pytest.fixture
def shopper(browser: Any) -> Iterator[Any]:
    """A new shopper's tab (its own session), instrumented, failing on any page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.add_init_script(INSTRUMENT)
    yield tab
    context.close()
    assert errors == [], f"errors thrown in the page: {errors}"


def nudges_of_the_session(live_shop: LiveShop) -> list[tuple[str, str]]:
    [session] = live_shop.sessions()
    return [(n["type"], n["outcome"]) for n in live_shop.detail(session["id"])["nudges"]]


def reported(live_shop: LiveShop, expected: list[tuple[str, str]]) -> bool:
    listed = live_shop.sessions()
    return bool(listed) and sorted(nudges_of_the_session(live_shop)) == sorted(expected)


def flush(page: Any) -> None:
    page.evaluate("window.__eln.flush()")
    settle(page)


def test_a_low_stock_product_shows_a_toast_bottom_right_and_its_x_is_a_dismissal(
    shopper: Any, live_shop: LiveShop
) -> None:
    widget = Widget(shopper)
    shopper.goto(live_shop.shop + LOW_STOCK)
    widget.wait("toast")
    box, viewport = widget.box("toast"), shopper.viewport_size
    assert (box["right"], box["bottom"]) == (
        viewport["width"] - MARGIN,
        viewport["height"] - MARGIN,
    )
    assert "Only 3 left in stock" in widget.text("toast")
    widget.click("toast x")
    widget.wait("toast", gone=True)
    flush(shopper)
    wait_for(lambda: reported(live_shop, [("toast", "dismissed")]), what="the toast's outcome")


def test_idle_on_a_product_page_brings_the_chat_bubble_which_opens_the_chat(
    shopper: Any, live_shop: LiveShop
) -> None:
    widget = Widget(shopper)
    shopper.clock.install()
    shopper.goto(live_shop.shop + PLENTY)
    settle(shopper)
    assert widget.drawn() == []
    shopper.clock.run_for(31_000)  # 30 s without activity: IDLE, sent at once
    widget.wait("bubble")
    box = widget.box("bubble")
    assert box["right"] == shopper.viewport_size["width"] - MARGIN
    assert "Daily Miles" in widget.text("callout")
    widget.click("callout")
    widget.wait("chat")
    flush(shopper)
    wait_for(
        lambda: reported(live_shop, [("chat_bubble", "chat_opened")]), what="the bubble's outcome"
    )


def test_leaving_with_a_full_cart_brings_the_exit_modal_which_escape_closes(
    shopper: Any, live_shop: LiveShop
) -> None:
    widget = Widget(shopper)
    shopper.goto(live_shop.shop + PLENTY)
    shopper.click("#add-to-cart")
    settle(shopper)
    shopper.focus("#add-to-cart")
    shopper.mouse.move(400, 300)
    shopper.mouse.move(400, -5)  # towards the tabs: exit intent
    widget.wait("modal")
    box, viewport = widget.box("modal"), shopper.viewport_size
    assert abs(box["x"] + box["width"] / 2 - viewport["width"] / 2) <= 1  # centred
    assert "your cart is saved" in widget.text("modal title")
    shopper.keyboard.press("Escape")
    widget.wait("modal", gone=True)
    assert shopper.evaluate("document.activeElement.id") == "add-to-cart"  # focus returned
    flush(shopper)
    wait_for(lambda: reported(live_shop, [("exit_modal", "dismissed")]), what="the outcome")


def test_the_checkout_shows_the_sticky_bar_at_the_bottom_full_width(
    shopper: Any, live_shop: LiveShop
) -> None:
    widget = Widget(shopper)
    shopper.goto(live_shop.shop + PLENTY)
    shopper.click("#add-to-cart")
    settle(shopper)
    shopper.goto(live_shop.shop + "/checkout")
    widget.wait("bar")
    box, viewport = widget.box("bar"), shopper.viewport_size
    assert (box["x"], box["width"], box["bottom"]) == (0, viewport["width"], viewport["height"])
    widget.click("bar body")
    widget.wait("chat")
    flush(shopper)
    wait_for(lambda: reported(live_shop, [("sticky_bar", "chat_opened")]), what="the bar's outcome")


def test_two_dismissals_silence_the_rest_of_the_session(shopper: Any, live_shop: LiveShop) -> None:
    widget = Widget(shopper)
    shopper.goto(live_shop.shop + LOW_STOCK)
    widget.wait("toast")
    widget.click("toast x")  # the first dismissal
    flush(shopper)
    live_shop.clock.advance(seconds=61)
    shopper.click("#add-to-cart")
    settle(shopper)
    shopper.mouse.move(400, 300)
    shopper.mouse.move(400, -5)
    widget.wait("modal")
    shopper.keyboard.press("Escape")  # the second
    flush(shopper)
    live_shop.clock.advance(seconds=61)
    shopper.goto(live_shop.shop + "/products/storm-shell")  # 4 left: would be a toast
    settle(shopper)
    flush(shopper)
    assert widget.drawn() == []
    wait_for(
        lambda: reported(live_shop, [("toast", "dismissed"), ("exit_modal", "dismissed")]),
        what="two dismissed nudges and nothing more",
    )


def test_a_quiet_zone_page_shows_nothing(shopper: Any, live_shop: LiveShop) -> None:
    widget = Widget(shopper)
    with live_shop.database.write() as connection:
        zones = {"quiet_zones": ["/shop/products/tempo-*"]}
        update_engine_settings(connection, live_shop.site.site_id, zones)
    shopper.goto(live_shop.shop + LOW_STOCK)  # a toast anywhere else (the first test)
    settle(shopper)
    flush(shopper)
    assert widget.drawn() == []
    shopper.goto(live_shop.shop + "/products/scree-runner-gtx")  # 2 left, outside the zone
    widget.wait("toast")


def test_a_test_key_page_shows_nothing_and_logs_the_test_decision(
    shopper: Any, live_shop: LiveShop
) -> None:
    widget = Widget(shopper)
    logged: list[str] = []
    shopper.on("console", lambda message: logged.append(message.text))
    shopper.goto(live_shop.base + "/tshop" + LOW_STOCK)
    settle(shopper)
    wait_for(
        lambda: any("test decision" in line and "low_stock" in line for line in logged),
        what="the test decision in the console",
    )
    assert widget.drawn() == []
