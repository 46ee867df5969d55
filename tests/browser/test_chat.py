"""The chat panel's conversation in a real Chromium on the demo shop, against the real relay
and the knowledge responder: click the bubble, ask, see the answer with its source; the
conversation survives a reload; the shopper's text is drawn as text, never as HTML; a reply
of the store (human responder) reaches the open panel; and the llm responder's answer, from a
local OpenAI-compatible server streaming slowly, is drawn sentence by sentence as it comes.

The relay's nudge decisions are scripted (`ScriptedRelay`); the chat's own calls
(`/v1/relay/messages`, `/v1/relay/transcript`) go to the real server untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from elnudge.conversations.service import set_responder
from elnudge.knowledge.demo import add_demo_knowledge
from tests.browser.conftest import LiveShop, running_shop, wait_for
from tests.browser.nudges import INSTRUMENT, OPENING, ScriptedRelay, Widget, nudge, on_event
from tests.conversations.fake_openai import Script, fake_openai

PRODUCT = "/products/tempo-racer-3"
DOCS = Path(__file__).resolve().parents[2] / "docs"
ANSWER = "Yes: we ship to Canada, Mexico, the UK and the EU."


@pytest.fixture
def widget(page: Any, live_shop: LiveShop) -> Widget:
    with live_shop.database.write() as connection:
        add_demo_knowledge(connection, live_shop.site.site_id, live_shop.clock.now_ms())
    page.add_init_script(INSTRUMENT)
    return Widget(page)


def lines(page: Any) -> list[str]:
    found: list[str] = page.evaluate(
        "[...__widgetRoot.querySelectorAll('.q [role=log] p')].map(p => p.textContent)"
    )
    return found


def answered(page: Any) -> bool:
    """Three lines (opening, question, answer), the typing indicator gone."""
    drawn = lines(page)
    return len(drawn) == 3 and "…" not in drawn


def open_chat_and_ask(page: Any, live_shop: LiveShop, widget: Widget, question: str) -> None:
    ScriptedRelay(page, on_event("PRODUCT_VIEW", nudge("chat_bubble")))
    page.goto(live_shop.shop + PRODUCT)
    widget.wait("bubble")
    widget.click("avatar")
    widget.wait("chat")
    page.keyboard.press("Tab")  # from the panel to its close button, then to the text box
    page.keyboard.press("Tab")
    assert widget.focused() == "Your message"
    page.keyboard.type(question)
    page.keyboard.press("Enter")


def test_ask_see_the_answer_and_keep_it_across_a_reload(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    open_chat_and_ask(page, live_shop, widget, "Do you ship to Canada?")
    wait_for(lambda: answered(page), what="the answer")
    opening, question, answer = lines(page)
    assert opening == OPENING
    assert question == "Do you ship to Canada?"
    assert answer.startswith(ANSWER) and answer.endswith("Source: Do you ship internationally?")
    page.screenshot(path=str(DOCS / "chat-conversation.png"))

    page.reload()
    widget.wait("chat")  # the panel is back, without a new nudge
    wait_for(lambda: answered(page), what="the transcript redrawn")
    assert lines(page)[1:] == [question, answer]
    widget.click("chat x")
    widget.wait("chat", gone=True)
    page.reload()
    page.wait_for_timeout(500)
    assert not widget.exists("chat")  # closed stays closed


def test_shopper_text_is_drawn_as_text(page: Any, live_shop: LiveShop, widget: Widget) -> None:
    hostile = '<img src=x onerror="document.title=1">Hi <b>there</b>'
    open_chat_and_ask(page, live_shop, widget, hostile)
    wait_for(lambda: answered(page), what="the answer")
    assert lines(page)[1] == hostile
    assert page.evaluate("__widgetRoot.querySelectorAll('.q img, .q b:not(.h b)').length") == 0
    assert page.title() != "1"


def test_the_stores_reply_reaches_the_open_panel(
    page: Any, live_shop: LiveShop, widget: Widget
) -> None:
    with live_shop.database.write() as connection:
        set_responder(connection, live_shop.site.site_id, "human")
    open_chat_and_ask(page, live_shop, widget, "Can I collect it today?")
    wait_for(lambda: len(lines(page)) == 2, what="the question")
    wait_for(lambda: live_shop.api.get("/v1/conversations").json()["data"], what="the chat")
    listed = live_shop.api.get("/v1/conversations").json()["data"]
    reply = live_shop.api.post(
        f"/v1/conversations/{listed[0]['id']}/messages", json={"text": "Yes, from 2pm in Denver."}
    )
    assert reply.status_code == 200, reply.text
    wait_for(lambda: len(lines(page)) == 3, what="the store's reply", timeout=20)
    assert lines(page)[2] == "Yes, from 2pm in Denver."


FIRST, SECOND = "We ship to Canada.", "Delivery takes 5 to 9 business days."


@pytest.fixture
def script() -> Script:
    """The first sentence at once, the second 6 s later (under the LLM client's 8 s read timeout):
    long enough to look at the panel on a loaded machine (with 3 s, a CI run under full load
    drew the first sentence only after the second had arrived)."""
    return Script(words=[FIRST + " ", "Delivery takes ", "5 to 9 business days."], pauses={1: 6})


@pytest.fixture
def llm_shop(tmp_path: Path, script: Script) -> Iterator[LiveShop]:
    """The live shop with the llm responder, its endpoint the local fake server."""
    with fake_openai(script) as base_url, running_shop(tmp_path, llm_base_url=base_url) as shop:
        with shop.database.write() as connection:
            add_demo_knowledge(connection, shop.site.site_id, shop.clock.now_ms())
            set_responder(connection, shop.site.site_id, "llm")
        yield shop


def test_the_llm_answer_is_drawn_as_it_streams(
    page: Any, llm_shop: LiveShop, script: Script
) -> None:
    page.add_init_script(INSTRUMENT)
    widget = Widget(page)
    open_chat_and_ask(page, llm_shop, widget, "Do you ship to Canada?")
    # The first sentence is shown while the second is still on its way, typing below it.
    wait_for(lambda: lines(page)[2:] == [FIRST, "…"], what="the first sentence")
    page.screenshot(path=str(DOCS / "chat-streaming.png"))
    assert script.sent == 1  # the endpoint has not sent the second sentence yet
    wait_for(lambda: answered(page), what="the whole answer")
    assert lines(page)[2] == f"{FIRST} {SECOND}"
    page.reload()
    widget.wait("chat")
    wait_for(lambda: answered(page), what="the transcript redrawn")
    assert lines(page)[1:] == ["Do you ship to Canada?", f"{FIRST} {SECOND}"]
