"""Issue 17 end to end in Chromium: a shopper asks in the chat panel on the demo shop (the
`human` responder: only the store answers); the store's owner, signed in to the dashboard in
another browser profile, reads the question on the Session page, types a reply, and the reply
appears in the shopper's still-open panel. The page with its chat and form passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from elnudge.conversations.service import set_responder
from elnudge.users.service import create_user
from tests.browser.conftest import LiveShop, wait_for
from tests.browser.dashboard import OWNER, PASSWORD, axe_violations, sign_in
from tests.browser.nudges import INSTRUMENT, Widget
from tests.browser.test_chat import lines, open_chat_and_ask

QUESTION = "Can I <collect> it today?"
REPLY = "Yes, from 2pm at our Denver store."


@pytest.fixture
def owner_tab(browser: Any, live_shop: LiveShop) -> Iterator[Any]:
    """The store owner's tab, in a browser profile of its own, signed in to the dashboard."""
    with live_shop.database.write() as connection:
        create_user(
            connection,
            email=OWNER,
            password=PASSWORD,
            site_id=live_shop.site.site_id,
            role="owner",
            now_ms=0,
        )
    context = browser.new_context()
    tab = context.new_page()
    sign_in(tab, live_shop.base)
    tab.wait_for_url(re.compile(r"/overview$"))
    yield tab
    context.close()


def test_the_stores_reply_typed_in_the_dashboard_reaches_the_open_panel(
    page: Any, live_shop: LiveShop, owner_tab: Any
) -> None:
    with live_shop.database.write() as connection:
        set_responder(connection, live_shop.site.site_id, "human")
    page.add_init_script(INSTRUMENT)
    widget = Widget(page)
    open_chat_and_ask(page, live_shop, widget, QUESTION)
    wait_for(lambda: len(lines(page)) == 2, what="the question in the panel")

    chats = wait_for(lambda: live_shop.api.get("/v1/conversations").json()["data"], what="chat")
    session_url = (
        f"{live_shop.base}/dashboard/sites/{live_shop.site.site_id}"
        f"/sessions/{chats[0]['session_id']}"
    )
    assert owner_tab.goto(session_url).status == 200
    transcript = owner_tab.locator("#chat .transcript li")
    assert transcript.count() == 1
    assert transcript.first.locator("p").inner_text() == QUESTION  # drawn as text
    assert transcript.first.locator(".sender").inner_text() == "Shopper"
    owner_tab.fill("#reply", REPLY)
    owner_tab.click("#chat button[type=submit]")
    owner_tab.wait_for_url(re.compile(r"#chat$"))
    assert owner_tab.locator("#chat .transcript li").count() == 2
    assert owner_tab.locator("#chat .transcript li").last.locator(".sender").inner_text() == (
        "The store"
    )
    assert axe_violations(owner_tab) == []

    wait_for(lambda: len(lines(page)) == 3, what="the store's reply in the panel", timeout=20)
    assert lines(page)[2] == REPLY
