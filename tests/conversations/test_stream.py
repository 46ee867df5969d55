"""The answer streamed to the chat panel (server-sent events, as the SDK asks for it): the
llm's sentences in order, each checked before it is sent; an invented offer stops the answer
before its sentence and the knowledge answer follows; a stall before the first sentence falls
back, one after it ends the answer there; and the transcript always holds exactly what was
sent."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from elnudge.conversations.service import set_responder
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from tests.conversations.chat import ChatPanel
from tests.conversations.fake_openai import Script
from tests.storefront import Relay, page_view

QUESTION = "Do you ship to Canada?"
KNOWLEDGE_ANSWER = "Yes: we ship to Canada"


def sent(lines: list[dict[str, Any]]) -> list[Any]:
    """What the panel shows, line by line: a whole message's (sender, text), or a sentence."""
    return [
        (line["message"]["sender"], line["message"]["text"]) if "message" in line else line["text"]
        for line in lines
    ]


def transcript(panel: ChatPanel) -> list[tuple[str, str]]:
    return [(m["sender"], m["text"]) for m in panel.transcript()["messages"]]


def test_sentences_arrive_in_order_then_the_whole_message(
    llm_panel: ChatPanel, script: Script
) -> None:
    script.words = ["We ship ", "to Canada. It ", "takes 7 days.\n", "Tracking is ", "emailed."]
    lines = llm_panel.lines(QUESTION)
    answer = "We ship to Canada. It takes 7 days.\nTracking is emailed."
    assert sent(lines) == [
        ("shopper", QUESTION),
        "We ship to Canada.",
        " It takes 7 days.",
        "\nTracking is emailed.",
        ("assistant", answer),
    ]
    assert len({line["id"] for line in lines[1:4]} | {lines[4]["message"]["id"]}) == 1
    assert transcript(llm_panel) == [("shopper", QUESTION), ("assistant", answer)]


def test_an_invented_offer_in_sentence_two_stops_the_answer_after_sentence_one(
    llm_panel: ChatPanel, script: Script
) -> None:
    script.words = ["We ship to Canada. ", "Use code SAVE20 ", "for 20% off. ", *["More. "] * 10]
    script.delay = 0.05
    lines = llm_panel.lines(QUESTION)
    shown = sent(lines)
    assert shown[:3] == [
        ("shopper", QUESTION),
        "We ship to Canada.",
        ("assistant", "We ship to Canada."),
    ]
    sender, fallback = shown[3]
    assert sender == "assistant" and fallback.startswith(KNOWLEDGE_ANSWER) and len(shown) == 4
    assert lines[3]["message"]["source"]["title"] == "Do you ship internationally?"
    assert transcript(llm_panel) == [shown[0], shown[2], shown[3]]
    assert script.sent < 8  # the endpoint's answer was no longer read (its connection closed)


def test_the_whole_reply_holds_the_same_messages(llm_panel: ChatPanel, script: Script) -> None:
    script.words = ["We ship to Canada. ", "Use code SAVE20 ", "for 20% off. ", "Anything else?"]
    messages = llm_panel.ask(QUESTION)["messages"]
    assert [m["text"] for m in messages[:2]] == [QUESTION, "We ship to Canada."]
    assert messages[2]["text"].startswith(KNOWLEDGE_ANSWER) and len(messages) == 3
    assert [m["id"] for m in llm_panel.transcript()["messages"]] == [m["id"] for m in messages]


@pytest.mark.parametrize("llm_timeout", [1.0])
def test_a_stall_before_the_first_sentence_falls_back_to_knowledge(
    llm_panel: ChatPanel, script: Script
) -> None:
    script.words = ["We ship ", "to Canada."]
    script.pauses = {1: 2.5}  # silent for longer than the 1 s limit
    shown = sent(llm_panel.lines(QUESTION))
    assert len(shown) == 2 and shown[1][1].startswith(KNOWLEDGE_ANSWER)
    assert transcript(llm_panel) == shown


@pytest.mark.parametrize("llm_timeout", [1.0])
def test_a_stall_after_the_first_sentence_ends_the_answer_there(
    llm_panel: ChatPanel, script: Script
) -> None:
    script.words = ["We ship to Canada. ", "It takes ", "7 days."]
    script.pauses = {1: 2.5}
    shown = sent(llm_panel.lines(QUESTION))
    assert shown == [
        ("shopper", QUESTION),
        "We ship to Canada.",
        ("assistant", "We ship to Canada."),
    ]
    assert transcript(llm_panel) == [shown[0], shown[2]]


@pytest.mark.parametrize("llm_timeout", [1.0])
def test_a_trickle_that_finishes_no_sentence_in_time_falls_back(
    llm_panel: ChatPanel, script: Script
) -> None:
    script.words = ["We ", "ship ", "to ", "Canada ", "in ", "7 ", "days."]
    script.delay = 0.3  # never silent for 1 s, but no sentence by then
    shown = sent(llm_panel.lines(QUESTION))
    assert len(shown) == 2 and shown[1][1].startswith(KNOWLEDGE_ANSWER)


@pytest.mark.parametrize(("responder", "answers"), [("knowledge", 1), ("human", 0)])
def test_other_responders_send_whole_messages(
    runtime: Runtime,
    client: TestClient,
    site: CreatedSite,
    relay: Relay,
    responder: str,
    answers: int,
) -> None:
    from elnudge.knowledge.demo import add_demo_knowledge

    with runtime.database.write() as connection:
        add_demo_knowledge(connection, site.site_id, runtime.clock.now_ms())
        set_responder(connection, site.site_id, responder)
    relay.send(page_view("2026-05-01T11:59:00Z", "/"))
    panel = ChatPanel(client, site.site_key_live)
    lines = panel.lines(QUESTION)
    assert all("message" in line for line in lines) and len(lines) == 1 + answers
    assert transcript(panel) == sent(lines)
