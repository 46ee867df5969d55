"""The nudge widget in a real Chromium on the demo shop: each type drawn where the product
contract says, what it reports, and how keyboard and screen-reader users get through it.

The relay's decisions are scripted (`ScriptedRelay`); the events the widget reports go to the
real relay, and the Sessions API shows the outcome they add up to.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.browser.conftest import LiveShop, wait_for
from tests.browser.nudges import (
    AGENT,
    INSTRUMENT,
    OPENING,
    ScriptedRelay,
    Widget,
    flush_until,
    nudge,
    on_event,
    settle,
)

PRODUCT = "/products/tempo-racer-3"
LINE = {
    "product_id": "prod_tempo-racer-3",
    "product_name": "Tempo Racer 3",
    "price": 159.0,
    "currency": "USD",
    "quantity": 1,
}
MARGIN = 20  # the widget's distance from the viewport's edges on a desktop
T0 = datetime(2026, 12, 1, 10, 0, 0)


@pytest.fixture
def widget(page: Any) -> Widget:
    page.add_init_script(INSTRUMENT)
    return Widget(page)


def freeze_clock(page: Any) -> None:
    """From here on the page's timers run only when the test moves its clock."""
    page.clock.install(time=T0)
    page.clock.pause_at(T0 + timedelta(seconds=5))  # before any page: no timer is skipped


def leave_through_the_top(page: Any) -> None:
    page.mouse.move(300, 200)
    page.mouse.move(300, -5)


def outcome(live_shop: LiveShop, nudge_id: str, expected: str) -> bool:
    """Whether GET /v1/sessions/{id} shows the nudge with the `expected` outcome: what the
    real relay made of the widget's reports."""
    listed = live_shop.sessions()
    nudges = live_shop.detail(listed[0]["id"])["nudges"] if listed else []
    return [(n["nudge_id"], n["outcome"]) for n in nudges] == [(nudge_id, expected)]


def test_a_toast_appears_bottom_right_announced_and_its_click_opens_the_chat(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    offer = nudge("toast")
    relay = ScriptedRelay(page, on_event("PRODUCT_VIEW", offer))
    page.goto(live_shop.shop + PRODUCT)
    widget.wait("toast")
    box, viewport = widget.box("toast"), page.viewport_size
    assert (box["right"], box["bottom"]) == (
        viewport["width"] - MARGIN,
        viewport["height"] - MARGIN,
    )
    assert widget.text("toast") == "MOnly 3 left in stockAsk Maya"  # avatar, message, cta
    assert widget.text("status") == f"{AGENT}: Only 3 left in stock"  # read out, not focused
    assert widget.focused() is None
    assert page.evaluate("document.activeElement === document.body")

    widget.click("toast body")
    widget.wait("chat")
    assert not widget.exists("toast")
    assert widget.text("chat name") == AGENT
    assert widget.text("chat log") == OPENING
    assert widget.attribute("chat", "aria-label") == f"Chat with {AGENT}"
    # Under the opening message, the text box of the conversation (tests/browser/test_chat.py).
    labels = "[...__widgetRoot.querySelectorAll('input')].map(i => i.getAttribute('aria-label'))"
    assert page.evaluate(labels) == ["Your message"]
    flush_until(page, relay, "NUDGE_CHAT_OPENED")
    nudge_id = offer["nudge_id"]
    assert relay.nudge_events() == [
        ("NUDGE_SHOWN", {"nudge_id": nudge_id, "type": "toast"}),
        ("NUDGE_CLICKED", {"nudge_id": nudge_id}),
        ("NUDGE_CHAT_OPENED", {"nudge_id": nudge_id}),
    ]
    wait_for(lambda: outcome(live_shop, nudge_id, "chat_opened"), what="the nudge's outcome")

    widget.click("chat x")
    widget.wait("chat", gone=True)


def test_a_toast_fades_after_5_seconds_which_is_not_a_dismissal(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    relay = ScriptedRelay(page, on_event("PRODUCT_VIEW", nudge("toast")))
    freeze_clock(page)
    page.goto(live_shop.shop + PRODUCT)
    page.clock.run_for(1)  # the page view's immediate send
    widget.wait("toast")
    page.clock.run_for(4_990)
    assert widget.exists("toast") and widget.style("toast", "opacity") == "1"
    page.clock.run_for(20)
    page.clock.run_for(300)  # the fade
    assert not widget.exists("toast")
    flush_until(page, relay, "NUDGE_SHOWN")
    settle(page)
    page.evaluate("window.__eln.flush()")
    settle(page)
    assert [kind for kind, _ in relay.nudge_events()] == ["NUDGE_SHOWN"]


def test_a_top_right_toast_and_its_x_which_is_a_dismissal(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    offer = nudge("toast", position="top-right", cta=None, message="Free shipping — $12 away")
    relay = ScriptedRelay(page, on_event("PRODUCT_VIEW", offer))
    page.goto(live_shop.shop + PRODUCT)
    widget.wait("toast")
    box = widget.box("toast")
    assert (box["right"], box["y"]) == (page.viewport_size["width"] - MARGIN, MARGIN)
    assert widget.text("toast") == "MFree shipping — $12 away"
    assert widget.attribute("toast x", "aria-label") == "Dismiss"
    widget.click("toast x")
    widget.wait("toast", gone=True)
    assert not widget.exists("chat")
    flush_until(page, relay, "NUDGE_DISMISSED")
    assert [kind for kind, _ in relay.nudge_events()] == ["NUDGE_SHOWN", "NUDGE_DISMISSED"]
    wait_for(lambda: outcome(live_shop, offer["nudge_id"], "dismissed"), what="the outcome")


def test_a_chat_bubble_collapses_to_its_avatar_after_8_seconds_and_opens_the_chat(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    offer = nudge("chat_bubble")
    relay = ScriptedRelay(page, on_event("PRODUCT_VIEW", offer))
    freeze_clock(page)
    page.goto(live_shop.shop + PRODUCT)
    page.clock.run_for(1)
    widget.wait("callout")
    avatar, viewport = widget.box("avatar"), page.viewport_size
    assert (avatar["right"], avatar["bottom"]) == (
        viewport["width"] - MARGIN,
        viewport["height"] - MARGIN,
    )
    assert widget.box("callout")["bottom"] < avatar["y"]  # the callout sits above the avatar
    assert widget.text("avatar") == "M"  # the agent's initial: no image from anywhere
    assert widget.attribute("avatar", "aria-label") == f"Chat with {AGENT}"
    assert widget.text("callout") == offer["message"]
    assert widget.text("status") == f"{AGENT}: {offer['message']}"
    assert widget.focused() is None

    page.clock.run_for(7_990)
    assert widget.exists("callout")
    page.clock.run_for(20)
    assert not widget.exists("callout") and widget.exists("avatar")

    widget.click("avatar")
    widget.wait("chat")
    assert not widget.exists("bubble")
    flush_until(page, relay, "NUDGE_CHAT_OPENED")
    kinds = [kind for kind, _ in relay.nudge_events()]
    assert kinds == ["NUDGE_SHOWN", "NUDGE_CLICKED", "NUDGE_CHAT_OPENED"]  # no dismissal


def test_the_x_on_a_bubble_s_callout_dismisses_it(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    relay = ScriptedRelay(page, on_event("PRODUCT_VIEW", nudge("chat_bubble")))
    page.goto(live_shop.shop + PRODUCT)
    widget.wait("callout")
    widget.click("callout x")
    widget.wait("bubble", gone=True)
    flush_until(page, relay, "NUDGE_DISMISSED")
    assert [kind for kind, _ in relay.nudge_events()] == ["NUDGE_SHOWN", "NUDGE_DISMISSED"]


def test_the_exit_modal_is_a_dialog_that_traps_focus_and_escape_closes_it(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    offer = nudge("exit_modal")
    relay = ScriptedRelay(page, on_event("EXIT_INTENT", offer))
    page.goto(live_shop.shop + PRODUCT)
    page.focus("#add-to-cart")
    leave_through_the_top(page)
    widget.wait("modal")

    assert widget.attribute("modal", "aria-modal") == "true"
    title_id = widget.attribute("modal", "aria-labelledby")
    assert widget.attribute("modal title", "id") == title_id
    assert widget.text("modal title") == offer["message"]
    box, viewport = widget.box("modal"), page.viewport_size
    assert abs(box["x"] + box["width"] / 2 - viewport["width"] / 2) <= 1
    assert abs(box["y"] + box["height"] / 2 - viewport["height"] / 2) <= 1
    # Its backdrop covers the page: what is on screen in a corner is the widget.
    assert page.evaluate("document.elementFromPoint(5, 5).localName") == "elnudge-widget"

    assert widget.focused() == "Chat with Maya"  # focus moved into the dialog
    page.keyboard.press("Tab")
    assert widget.focused() == "No thanks"
    page.keyboard.press("Tab")
    assert widget.focused() == "Chat with Maya"  # wrapped around: trapped
    page.keyboard.press("Shift+Tab")
    assert widget.focused() == "No thanks"
    page.keyboard.press("Shift+Tab")
    assert widget.focused() == "Chat with Maya"
    page.evaluate("document.querySelector('#add-to-cart').focus()")  # a script tries to leave
    assert widget.focused() == "Chat with Maya"

    page.keyboard.press("Escape")
    widget.wait("modal", gone=True)
    assert page.evaluate("document.activeElement.id") == "add-to-cart"  # back where it was
    flush_until(page, relay, "NUDGE_DISMISSED")
    assert [kind for kind, _ in relay.nudge_events()] == ["NUDGE_SHOWN", "NUDGE_DISMISSED"]


def test_no_thanks_dismisses_the_modal_and_its_primary_action_opens_the_chat(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    first, second = nudge("exit_modal"), nudge("exit_modal", cta="Ask Maya")
    offers = [first, second]

    def decide(events: list[dict[str, Any]]) -> dict[str, Any] | None:
        leaving = any(event["event"] == "EXIT_INTENT" for event in events)
        return offers.pop(0) if leaving else None

    relay = ScriptedRelay(page, decide)
    page.goto(live_shop.shop + PRODUCT)
    leave_through_the_top(page)
    widget.wait("modal")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # on "No thanks"
    widget.wait("modal", gone=True)

    page.focus("#add-to-cart")
    page.evaluate("history.pushState({}, '', location.pathname + '?again')")  # a new page
    leave_through_the_top(page)
    widget.wait("modal")
    page.keyboard.press("Enter")  # the primary action, focused
    widget.wait("chat")
    assert not widget.exists("modal")
    assert widget.focused() == f"Chat with {AGENT}"  # the chat panel has the focus
    page.keyboard.press("Escape")
    widget.wait("chat", gone=True)
    assert page.evaluate("document.activeElement.id") == "add-to-cart"

    flush_until(page, relay, "NUDGE_CHAT_OPENED")
    assert relay.nudge_events() == [
        ("NUDGE_SHOWN", {"nudge_id": first["nudge_id"], "type": "exit_modal"}),
        ("NUDGE_DISMISSED", {"nudge_id": first["nudge_id"]}),
        ("NUDGE_SHOWN", {"nudge_id": second["nudge_id"], "type": "exit_modal"}),
        ("NUDGE_CLICKED", {"nudge_id": second["nudge_id"]}),
        ("NUDGE_CHAT_OPENED", {"nudge_id": second["nudge_id"]}),
    ]


def test_the_sticky_bar_returns_on_every_checkout_page_until_dismissed(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    offer = nudge("sticky_bar")
    relay = ScriptedRelay(page, on_event("CHECKOUT_STAGE", offer))
    page.goto(live_shop.shop + PRODUCT)
    page.click("#add-to-cart")
    page.goto(live_shop.shop + "/cart")
    widget.wait("bar")
    box, viewport = widget.box("bar"), page.viewport_size
    assert (box["x"], box["width"], box["bottom"]) == (0, viewport["width"], viewport["height"])
    assert widget.text("bar") == "MHave a question about your order?Chat with Maya →"
    flush_until(page, relay, "NUDGE_SHOWN")  # before the page goes: beacons are not recorded

    page.goto(live_shop.shop + "/checkout")  # the same offer again: drawn, not shown twice
    widget.wait("bar")
    widget.click("bar body")
    widget.wait("chat")
    assert widget.exists("bar")  # the bar stays; the chat opens above it
    assert widget.box("chat")["bottom"] < widget.box("bar")["y"]
    widget.click("chat x")
    widget.click("bar x")
    widget.wait("bar", gone=True)
    assert page.evaluate("JSON.parse(sessionStorage.getItem('eln_session')).bar") == 1
    flush_until(page, relay, "NUDGE_DISMISSED")

    page.goto(live_shop.shop + "/cart")  # offered again, but dismissed in this session
    relay.wait_for("CHECKOUT_STAGE", count=3)
    settle(page)
    assert not widget.exists("bar")
    nudge_id = offer["nudge_id"]
    assert relay.nudge_events() == [
        ("NUDGE_SHOWN", {"nudge_id": nudge_id, "type": "sticky_bar"}),
        ("NUDGE_CLICKED", {"nudge_id": nudge_id}),
        ("NUDGE_CHAT_OPENED", {"nudge_id": nudge_id}),
        ("NUDGE_DISMISSED", {"nudge_id": nudge_id}),
    ]


def test_one_proactive_nudge_at_a_time_beside_the_sticky_bar(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    offers = {
        "PRODUCT_VIEW": nudge("toast"),
        "ADD_TO_CART": nudge("chat_bubble"),
        "CHECKOUT_STAGE": nudge("sticky_bar"),
        "EXIT_INTENT": nudge("toast", message="Free shipping — $12 away"),
        "REMOVE_FROM_CART": nudge("chat_bubble", message="Changed your mind?"),
    }

    def decide(events: list[dict[str, Any]]) -> dict[str, Any] | None:
        return offers.get(events[-1]["event"])

    ScriptedRelay(page, decide)
    freeze_clock(page)
    page.goto(live_shop.shop + PRODUCT)
    page.clock.run_for(1)
    widget.wait("toast")
    page.click("#add-to-cart")
    page.clock.run_for(1)
    widget.wait("bubble")
    assert widget.drawn() == ["bubble"]  # the bubble replaced the toast
    page.evaluate("__eln('track', 'CHECKOUT_STAGE', {stage: 'cart'})")
    page.clock.run_for(1)
    widget.wait("bar")
    assert widget.drawn() == ["bubble", "bar"]
    assert widget.box("avatar")["bottom"] < widget.box("bar")["y"]  # above the bar
    page.clock.run_for(8_000)
    assert not widget.exists("callout")  # collapsed to its avatar
    page.evaluate("__eln('track', 'EXIT_INTENT', {})")
    page.clock.run_for(1)
    widget.wait("toast")
    assert widget.drawn() == ["toast", "bar"]  # the collapsed bubble was replaced too
    assert widget.text("toast") == "MFree shipping — $12 awayAsk Maya"
    assert widget.box("toast")["bottom"] < widget.box("bar")["y"]

    widget.click("toast body")
    widget.wait("chat")
    page.evaluate("line => __eln('track', 'REMOVE_FROM_CART', line)", LINE)
    page.clock.run_for(1)
    settle(page)
    assert widget.drawn() == ["bar", "chat"]  # nothing interrupts an open chat
    assert page.evaluate("document.querySelectorAll('elnudge-widget').length") == 1
    assert page.evaluate("document.querySelector('elnudge-widget').shadowRoot") is None
