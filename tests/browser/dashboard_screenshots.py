"""Screenshots of every dashboard page with a month of demo shoppers, on a desktop and on a
phone: docs/dashboard-*.png. `session-chat` is a shopper's chat on the demo's knowledge (sent
through the relay as the chat panel sends it) answered by the owner on the Session page; the
Session page on a phone shows its nudges' table, which scrolls sideways in its card.

    .venv/bin/python -m tests.browser.dashboard_screenshots [OUTPUT_DIRECTORY]   # default: docs

Not a test: run it after changing the look, and look at every picture.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

from elnudge.clock import SystemClock
from elnudge.timestamps import format_timestamp_ms
from elnudge.webhooks import service as webhooks
from elnudge.webhooks.worker import Worker
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.dashboard import LiveDashboard, running_dashboard, sign_in
from tests.browser.screenshots import DESKTOP, PHONE
from tests.storefront import CHROME, ORIGIN, add_to_cart, page_view
from tests.webhooks.receiver import Receiver, receiver

SHOPPER = "screenshot-shopper"
QUESTIONS = ("Do you ship to Canada?", "Will the green colour be back before Saturday's race?")
NUDGES_ON_TOP = (
    "window.scrollTo(0, document.getElementById('nudges-title').getBoundingClientRect().top"
    " + window.scrollY - 160)"
)
REPLY = "It arrives Thursday: we'll keep a pair in your size for you. (Sam, at the store)"


def a_chatting_shopper(live: LiveDashboard) -> str:
    """A session that browsed, added to the cart and asked two questions; its id."""
    headers = {"user-agent": CHROME, "origin": ORIGIN, "content-type": "text/plain"}
    key = live.site.site_key_live
    now = time.time_ns() // 1_000_000
    events = [
        page_view(format_timestamp_ms(now - 240_000), "/", session=SHOPPER),
        page_view(format_timestamp_ms(now - 180_000), "/products/ultra-stride-v2", session=SHOPPER),
        add_to_cart(format_timestamp_ms(now - 120_000), session=SHOPPER),
    ]
    with httpx.Client(base_url=live.base, headers=headers) as relay:
        relay.post("/v1/relay", json={"site_key": key, "events": events}).raise_for_status()
        for question in QUESTIONS:
            body = {"site_key": key, "session_id": SHOPPER, "text": question}
            answer = relay.post("/v1/relay/messages", json=body)
            answer.raise_for_status()
    conversation = live.api.get(f"/v1/conversations/{answer.json()['conversation_id']}")
    session_id: str = conversation.json()["data"]["session_id"]
    return session_id


def a_webhook(live: LiveDashboard, hooks: Receiver) -> None:
    """An endpoint with one delivered ping (the real worker, to a local receiver)."""
    with live.database.write() as connection:
        created = webhooks.create_endpoint(
            connection,
            live.site.site_id,
            url=hooks.url + "/elnudge",
            events=["session.converted", "nudge.influenced_conversion"],
            allow_local=True,
            now_ms=SystemClock().now_ms(),
        )
        webhooks.send_test(connection, created.endpoint_id, SystemClock().now_ms())
    Worker(live.database, SystemClock(), True).run_once()


def main(output: Path) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        running_dashboard(Path(folder)) as live,
        receiver() as hooks,
    ):
        a_webhook(live, hooks)
        session_id = next(
            s["id"]
            for s in live.api.get("/v1/sessions?limit=200").json()["data"]
            if s["nudge_count"] and s["page_count"] >= 4
        )
        pages = {
            "signin": None,
            "overview": live.page_url("overview"),
            "sessions": live.page_url("sessions"),
            "session": live.page_url(f"sessions/{session_id}"),
            "nudges": live.page_url("nudges"),
            "knowledge": live.page_url("knowledge"),
            "settings": live.page_url("settings"),
            "session-chat": live.page_url(f"sessions/{a_chatting_shopper(live)}#chat"),
        }
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for size, options in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(**options)
                page: Any = context.new_page()
                page.goto(f"{live.base}/dashboard/signin")
                page.screenshot(path=str(output / f"dashboard-signin-{size}.png"))
                sign_in(page, live.base)
                for name, url in pages.items():
                    if url is None:
                        continue
                    page.goto(url)
                    if name == "session-chat" and size == "desktop":  # the owner replies
                        page.fill("#reply", REPLY)
                        page.click("#chat button[type=submit]")
                        page.wait_for_load_state()
                    if name == "session" and size == "phone":  # the nudges' table, shaded
                        page.evaluate(NUDGES_ON_TOP)
                    page.screenshot(
                        path=str(output / f"dashboard-{name}-{size}.png"),
                        full_page=size == "desktop",
                    )
                context.close()
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
