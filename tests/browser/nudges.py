"""The engine's side of the relay, scripted, and the widget as a shopper meets it.

`ScriptedRelay`: the real relay still stores every event (each request goes on to the server);
only its answer gets the `nudge` (and `test_decision`) a test wants, as the engine will fill
them. The SDK's request bodies are recorded as sent.

`Widget`: the widget lives in a closed shadow root, which the page (and Playwright's selectors)
cannot enter; an init script keeps a reference to it for the tests. Clicks are real mouse
clicks at the element's place on screen, so whatever covers it would take the click instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from ulid import ULID

from tests.browser.conftest import wait_for

Nudge = dict[str, Any]
Decide = Callable[[list[dict[str, Any]]], Nudge | None]

AGENT = "Maya"
OPENING = "Hi, I'm Maya from Trailhead Running Co. How can I help?"
# What the engine's rules typically say (the product contract's trigger table).
TYPICAL: dict[str, dict[str, Any]] = {
    "toast": {"rule": "low_stock", "message": "Only 3 left in stock", "cta": "Ask Maya"},
    "chat_bubble": {
        "rule": "idle_product",
        "message": "Any questions about the Tempo Racer 3? I'm happy to help",
        "cta": None,
    },
    "exit_modal": {
        "rule": "exit_intent",
        "message": "Wait — your cart is saved. Need a hand before you go?",
        "cta": "Chat with Maya",
    },
    "sticky_bar": {
        "rule": "checkout",
        "message": "Have a question about your order?",
        "cta": "Chat with Maya →",
    },
}
# Keeps the widget's shadow root (closed: `host.shadowRoot` is null) where a test can reach it,
# and counts the page's relay calls as it makes them and as their answers arrive.
INSTRUMENT = """
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  const root = attachShadow.call(this, init);
  if (this.localName === 'elnudge-widget') window.__widgetRoot = root;
  return root;
};
window.relayCalls = {sent: 0, answered: 0};
const fetchForReal = window.fetch;
window.fetch = function (url) {
  if (!String(url).endsWith('/v1/relay')) return fetchForReal.apply(this, arguments);
  window.relayCalls.sent += 1;
  return fetchForReal.apply(this, arguments).finally(() => { window.relayCalls.answered += 1; });
};
"""
# The widget's parts, by what they are.
PARTS = {
    "toast": ".t",
    "toast body": ".t .b",
    "toast x": ".t [aria-label=Dismiss]",
    "bubble": ".u",
    "callout": ".u .l",
    "callout x": ".l [aria-label=Dismiss]",
    "avatar": ".u > button.a",
    "modal": "[role=dialog][aria-modal=true]",
    "modal title": "[role=dialog][aria-modal=true] h2",
    "bar": ".r",
    "bar body": ".r .b",
    "bar x": ".r [aria-label=Dismiss]",
    "chat": ".q",
    "chat name": ".q .h b",
    "chat log": ".q [role=log]",
    "chat x": "[aria-label='Close chat']",
    "status": "[role=status]",
}


def nudge(kind: str, **fields: Any) -> Nudge:
    """A decision as the relay sends it, with a fresh nudge id."""
    decision = {
        "nudge_id": f"nudg_{ULID()}",
        "type": kind,
        "agent": AGENT,
        "position": "bottom-right",
        "opening_message": OPENING,
        **TYPICAL[kind],
    }
    return {**decision, **fields}


def on_event(event_type: str, decision: Nudge) -> Decide:
    """Offer `decision` whenever a batch holds an event of `event_type`."""
    return lambda events: decision if any(e["event"] == event_type for e in events) else None


class ScriptedRelay:
    """Routes the page's relay calls: records each body, forwards it to the real relay, and
    adds `decide(events)` to the answer as its `nudge`."""

    def __init__(self, page: Any, decide: Decide | None = None) -> None:
        self.page = page
        self.bodies: list[dict[str, Any]] = []
        self.decide: Decide = decide or (lambda events: None)
        self.test_decision: Nudge | None = None
        page.route("**/v1/relay", self._answer)

    def _answer(self, route: Any) -> None:
        body = json.loads(route.request.post_data)
        self.bodies.append(body)
        try:
            response = route.fetch()
            answer = response.json()
        except PlaywrightError:  # the test is over: its page and server are closing
            return
        answer["nudge"] = self.decide(body["events"])
        if self.test_decision is not None:
            answer["test_decision"] = self.test_decision
        route.fulfill(response=response, json=answer)

    def events(self, *types: str) -> list[dict[str, Any]]:
        """Every event sent so far, in order; only those of `types` when given."""
        sent = [event for body in self.bodies for event in body["events"]]
        return [event for event in sent if not types or event["event"] in types]

    def wait_for(self, *types: str, count: int = 1) -> list[dict[str, Any]]:
        """Wait until `count` events of `types` have been sent; the page keeps running (the
        route's handler only runs while Playwright is called)."""

        def arrived() -> list[dict[str, Any]] | None:
            self.page.evaluate("0")
            found = self.events(*types)
            return found if len(found) >= count else None

        return wait_for(arrived, what=f"{count} of {types} at the relay")

    def nudge_events(self) -> list[tuple[str, dict[str, Any]]]:
        """The NUDGE_* events sent so far: (type, data)."""
        return [(e["event"], e["data"]) for e in self.events() if e["event"].startswith("NUDGE_")]


class Widget:
    """The widget in one page, reached through its kept shadow root."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def _find(self, part: str) -> str:
        return f"window.__widgetRoot && __widgetRoot.querySelector({json.dumps(PARTS[part])})"

    def exists(self, part: str) -> bool:
        return bool(self.page.evaluate(f"!!({self._find(part)})"))

    def wait(self, part: str, *, gone: bool = False) -> None:
        what = f"the widget's {part} to {'go' if gone else 'appear'}"
        wait_for(lambda: self.exists(part) != gone, what=what)
        # Where it lands, not where its entrance animation has got to.
        self.page.evaluate(
            "Promise.all(__widgetRoot.getAnimations().map(a => a.finished.catch(() => null)))"
        )

    def text(self, part: str) -> str:
        found: str = self.page.evaluate(f"({self._find(part)}).textContent")
        return found

    def attribute(self, part: str, name: str) -> str | None:
        found: str | None = self.page.evaluate(
            f"({self._find(part)}).getAttribute({json.dumps(name)})"
        )
        return found

    def style(self, part: str, name: str) -> str:
        found: str = self.page.evaluate(f"getComputedStyle({self._find(part)})[{json.dumps(name)}]")
        return found

    def box(self, part: str) -> dict[str, float]:
        found: dict[str, float] = self.page.evaluate(
            f"(() => {{ const r = ({self._find(part)}).getBoundingClientRect();"
            " return {x: r.x, y: r.y, width: r.width, height: r.height,"
            " right: r.right, bottom: r.bottom}; })()"
        )
        return found

    def click(self, part: str) -> None:
        box = self.box(part)
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    def focused(self) -> str | None:
        """The text or label of what has the keyboard focus inside the widget, if anything."""
        found: str | None = self.page.evaluate(
            "(() => { const e = window.__widgetRoot && __widgetRoot.activeElement;"
            " return e ? (e.getAttribute('aria-label') || e.textContent) : null; })()"
        )
        return found

    def drawn(self) -> list[str]:
        """The parts on screen now, among the toast, bubble, modal, bar and chat."""
        kinds = ("toast", "bubble", "modal", "bar", "chat")
        return [kind for kind in kinds if self.exists(kind)]


def settle(page: Any) -> None:
    """Wait until every relay call the page made has been answered."""
    wait_for(
        lambda: page.evaluate("relayCalls.sent === relayCalls.answered"),
        what="the page's relay calls to be answered",
    )


def flush_until(page: Any, relay: ScriptedRelay, *types: str, count: int = 1) -> None:
    """Flush the page's queue until the relay has seen `count` events of `types`."""

    def arrived() -> bool:
        page.evaluate("window.__eln.flush()")
        return len(relay.events(*types)) >= count

    wait_for(arrived, what=f"{count} of {types} at the relay")
