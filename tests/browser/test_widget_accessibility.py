"""What assistive technology is told about the widget: Chromium's own accessibility tree (read
over the DevTools protocol), which a screen reader walks, closed shadow root and all."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveShop
from tests.browser.nudges import AGENT, INSTRUMENT, OPENING, ScriptedRelay, Widget, nudge

PRODUCT = "/products/tempo-racer-3"


@pytest.fixture
def widget(page: Any) -> Widget:
    page.add_init_script(INSTRUMENT)
    return Widget(page)


def announced(page: Any) -> set[tuple[str, str]]:
    """(role, name) of every node a screen reader can reach, text included."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return {
        (node["role"]["value"], node.get("name", {}).get("value", ""))
        for node in nodes
        if not node.get("ignored")
    }


def test_each_part_has_a_role_and_a_name_and_the_modal_hides_the_page(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    bubble, modal = nudge("chat_bubble"), nudge("exit_modal")
    offers = {"PRODUCT_VIEW": bubble, "EXIT_INTENT": modal, "CHECKOUT_STAGE": nudge("sticky_bar")}
    ScriptedRelay(page, lambda events: offers.get(events[-1]["event"]))
    page.goto(live_shop.shop + PRODUCT)
    widget.wait("bubble")
    tree = announced(page)
    assert ("status", "") in tree and ("StaticText", f"{AGENT}: {bubble['message']}") in tree
    assert ("button", bubble["message"]) in tree  # the callout
    assert ("button", "Dismiss") in tree  # its ✕
    assert ("button", f"Chat with {AGENT}") in tree  # the avatar: named, not "M"
    assert ("button", "Add to cart") in tree  # the page is all there beside a bubble

    page.evaluate("__eln('track', 'CHECKOUT_STAGE', {stage: 'cart'})")
    widget.wait("bar")
    # The avatar in it is hidden: the name is the message and the call to action only.
    assert ("button", "Have a question about your order? Chat with Maya →") in announced(page)

    page.evaluate("__eln('track', 'EXIT_INTENT', {})")
    widget.wait("modal")
    tree = announced(page)
    assert ("dialog", modal["message"]) in tree  # labelled by its message
    assert {("button", "Chat with Maya"), ("button", "No thanks")} <= tree
    assert ("button", "Add to cart") not in tree  # aria-modal: the page behind is out of reach

    page.keyboard.press("Enter")
    widget.wait("chat")
    tree = announced(page)
    assert ("dialog", f"Chat with {AGENT}") in tree
    assert ("log", "") in tree and ("StaticText", OPENING) in tree
    assert ("button", "Close chat") in tree
    assert ("textbox", "Your message") in tree  # the conversation's text box, named
    assert ("button", "Send") in tree
