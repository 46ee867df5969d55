"""The widget and the store's page leave each other alone: a hostile stylesheet cannot restyle
or hide the widget, the widget's styles and overlays move and restyle nothing on the page, a
strict Content-Security-Policy does not break it, reduced motion means no animation, and no
exception of the widget's ever reaches the page (the `page` fixture fails on any)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.browser.conftest import LiveShop
from tests.browser.nudges import INSTRUMENT, ScriptedRelay, Widget, nudge, on_event, settle

PRODUCT = "/products/tempo-racer-3"
INK = "rgb(29, 36, 51)"  # the widget's text colour
# Everything a stylesheet can throw at the host element and at whatever is in the page.
HOSTILE = """
body *, body > :last-child, elnudge-widget, [style], html body elnudge-widget[style] {
  display: none !important; visibility: hidden !important; opacity: 0 !important;
  color: red !important; background: red !important; font: 40px/3 "Comic Sans MS" !important;
  transform: scale(0) !important; position: static !important; z-index: -1 !important;
  width: 0 !important; height: 0 !important; overflow: hidden !important;
  pointer-events: none !important; filter: blur(8px) !important;
  clip-path: inset(50%) !important; contain: strict !important; --bar: 300px;
}
button, div, span, h2, p { all: unset !important; color: red !important; }
html { --bar: 300px; font-size: 40px !important; color: red !important; }
"""
# Every element of the page but the widget: where it is and how it looks.
PAGE_FINGERPRINT = """JSON.stringify([...document.body.querySelectorAll('*')]
  .filter(e => e.localName !== 'elnudge-widget')
  .map(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return [e.localName, r.x, r.y, r.width, r.height, s.margin, s.boxSizing, s.font, s.color,
            s.background, s.outline]; }))"""
WATCH_LAYOUT_SHIFTS = """
window.layoutShifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.layoutShifts.push(entry.value);
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.fixture
def widget(page: Any) -> Widget:
    page.add_init_script(INSTRUMENT)
    return Widget(page)


def track(page: Any, event: str, data: str = "{}") -> None:
    page.evaluate(f"__eln('track', '{event}', {data})")


def test_a_hostile_stylesheet_cannot_hide_or_restyle_the_widget(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    relay = ScriptedRelay(page, on_event("EXIT_INTENT", nudge("toast")))
    page.goto(live_shop.shop + PRODUCT)
    page.add_style_tag(content=HOSTILE)
    assert page.evaluate("getComputedStyle(document.querySelector('main')).display") == "none"
    track(page, "EXIT_INTENT")
    widget.wait("toast")

    host = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('elnudge-widget'));"
        " return [s.display, s.visibility, s.opacity, s.position, s.zIndex, s.transform,"
        " s.filter, s.clipPath, s.pointerEvents]; })()"
    )
    assert host == ["block", "visible", "1", "fixed", "2147483647", "none", "none", "none", "auto"]
    box, viewport = widget.box("toast"), page.viewport_size
    assert (box["right"], box["bottom"]) == (viewport["width"] - 20, viewport["height"] - 20)
    assert widget.style("toast", "backgroundColor") == "rgb(255, 255, 255)"
    assert widget.style("toast body", "color") == INK
    assert widget.style("toast body", "fontSize") == "15px"
    assert widget.style("toast body", "fontFamily").startswith("system-ui")
    # What is on screen at the toast's centre is the toast: the page cannot cover it.
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    on_top = page.evaluate(
        f"[document.elementFromPoint({x}, {y}).localName,"
        f" __widgetRoot.elementFromPoint({x}, {y}).closest('.t') !== null]"
    )
    assert on_top == ["elnudge-widget", True]
    widget.click("toast body")
    widget.wait("chat")
    assert widget.style("chat log", "backgroundColor") == "rgb(245, 246, 248)"
    relay.wait_for("NUDGE_SHOWN")


def test_the_widget_moves_and_restyles_nothing_on_the_page(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    offers = {
        "EXIT_INTENT": nudge("exit_modal"),
        "ADD_TO_CART": nudge("chat_bubble"),
        "CHECKOUT_STAGE": nudge("sticky_bar"),
        "REMOVE_FROM_CART": nudge("toast"),
    }
    ScriptedRelay(page, lambda events: offers.get(events[-1]["event"]))
    page.add_init_script(WATCH_LAYOUT_SHIFTS)
    page.goto(live_shop.shop + PRODUCT)
    settle(page)
    before = page.evaluate(PAGE_FINGERPRINT)
    shifts = page.evaluate("layoutShifts.length")

    track(page, "EXIT_INTENT")
    widget.wait("modal")
    assert page.evaluate(PAGE_FINGERPRINT) == before
    page.keyboard.press("Escape")
    line = "{product_id: 'p', product_name: 'P', price: 1, currency: 'USD', quantity: 1}"
    track(page, "ADD_TO_CART", line)
    widget.wait("bubble")
    track(page, "CHECKOUT_STAGE", "{stage: 'cart'}")
    widget.wait("bar")
    track(page, "REMOVE_FROM_CART", line)
    widget.wait("toast")
    widget.click("toast body")
    widget.wait("chat")
    assert widget.drawn() == ["bar", "chat"]
    assert page.evaluate(PAGE_FINGERPRINT) == before
    assert page.evaluate("layoutShifts.length") == shifts  # no layout shift at all


def test_a_strict_content_security_policy_still_gets_a_styled_widget(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    policy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'"

    def with_policy(route: Any) -> None:
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": policy}
        route.fulfill(response=response, headers=headers)

    page.route(f"**{PRODUCT}", with_policy)
    ScriptedRelay(page, on_event("PRODUCT_VIEW", nudge("toast")))
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
    page.goto(live_shop.shop + PRODUCT)
    widget.wait("toast")
    assert widget.style("toast", "position") == "fixed"
    assert widget.style("toast", "backgroundColor") == "rgb(255, 255, 255)"
    assert widget.box("toast")["right"] == page.viewport_size["width"] - 20
    assert refused == []


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_reduced_motion_means_no_animation(
    page: Any, live_shop: LiveShop, widget: Widget, motion: str
) -> None:
    page.emulate_media(reduced_motion=motion)
    offers = {"EXIT_INTENT": nudge("exit_modal"), "CHECKOUT_STAGE": nudge("sticky_bar")}
    offers["PRODUCT_VIEW"] = nudge("toast")
    ScriptedRelay(page, lambda events: offers.get(events[-1]["event"]))
    start = datetime(2026, 12, 1, 10, 0, 0)
    page.clock.install(time=start)
    page.clock.pause_at(start + timedelta(seconds=5))
    page.goto(live_shop.shop + PRODUCT)
    page.clock.run_for(1)
    widget.wait("toast")
    track(page, "CHECKOUT_STAGE", "{stage: 'cart'}")
    page.clock.run_for(1)
    widget.wait("bar")
    page.clock.run_for(5_000)  # the toast fades
    fading = widget.style("toast", "transitionDuration")
    track(page, "EXIT_INTENT")
    page.clock.run_for(1)
    widget.wait("modal")
    names = page.evaluate(
        "[...__widgetRoot.querySelectorAll('*')].map(e => getComputedStyle(e).animationName)"
        ".concat(getComputedStyle(__widgetRoot.querySelector('dialog'), '::backdrop')"
        ".animationName).filter(name => name !== 'none')"
    )
    if motion == "reduce":
        assert names == [] and fading == "0s"
        assert page.evaluate("__widgetRoot.getAnimations().length") == 0
    else:
        assert sorted(names) == ["fade", "in", "up"] and fading == "0.3s"


def test_nudges_it_cannot_draw_are_ignored_and_the_next_one_is_drawn(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    broken: list[Any] = [
        "toast",
        42,
        [],
        {},
        {"type": "toast"},
        {"nudge_id": 5, "type": "toast"},
        {"nudge_id": "nudg_1", "type": "constructor"},
        {"nudge_id": "nudg_2", "type": "toString", "message": "x"},
        {"nudge_id": "nudg_3", "type": "toast", "message": {"a": 1}, "agent": ""},
        {"nudge_id": "nudg_4", "type": "exit_modal", "message": None, "agent": None},
    ]
    answers = list(broken)
    relay = ScriptedRelay(page, lambda events: answers.pop(0) if answers else None)
    relay.test_decision = {"type": ["not", "text"]}
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    page.goto(live_shop.shop + PRODUCT)
    page.evaluate("__eln('config', {debug: true})")
    settle(page)
    while answers:
        left = len(answers)
        track(page, "EXIT_INTENT")
        while len(answers) == left:
            page.wait_for_timeout(20)
    settle(page)
    assert widget.drawn() == []
    assert sum(text.startswith("[elNudge] cannot draw nudge") for text in logged) >= 9

    answers.append(nudge("toast", message="Still here"))
    track(page, "EXIT_INTENT")
    widget.wait("toast")
    assert "Still here" in widget.text("toast")


def test_a_browser_that_refuses_the_widget_leaves_the_page_and_tracking_working(
    page: Any, live_shop: LiveShop
) -> None:
    page.add_init_script(
        "Element.prototype.attachShadow = () => { throw new Error('no shadow roots here'); };"
    )
    relay = ScriptedRelay(page, on_event("PRODUCT_VIEW", nudge("toast")))
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    page.goto(live_shop.shop.replace("/shop", "/tshop") + PRODUCT)  # pk_test_: debug logging
    relay.wait_for("PRODUCT_VIEW")
    page.click("#add-to-cart")
    assert page.text_content("#cart-count") == "1"
    relay.wait_for("ADD_TO_CART")
    assert any(text.startswith("[elNudge] internal error (ignored)") for text in logged)
    assert page.evaluate("document.querySelectorAll('elnudge-widget').length") == 0
