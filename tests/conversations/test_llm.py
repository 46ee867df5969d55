"""The llm responder against a local OpenAI-compatible server: the request it sends (model,
limits, streaming, instructions apart from shopper text, this session's context and the store's
knowledge), the streamed answer, and the knowledge fallback on a timeout, an error and an
invented offer (test_stream.py: the same, sentence by sentence, as the panel gets it)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from elnudge.conversations.service import set_responder
from elnudge.knowledge.demo import add_demo_knowledge
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from tests.conversations.chat import ChatPanel
from tests.conversations.fake_openai import Script
from tests.storefront import Relay, page_view

KNOWLEDGE_ANSWER = "Yes: we ship to Canada"


def answer(panel: ChatPanel, text: str) -> dict[str, Any]:
    messages = panel.ask(text)["messages"]
    assert messages[0]["text"] == text
    reply: dict[str, Any] = messages[1]
    return reply


def test_the_streamed_answer_and_the_request_it_came_from(
    llm_panel: ChatPanel, script: Script
) -> None:
    reply = answer(llm_panel, "Do you ship to Canada?")
    assert reply["text"] == "We ship to Canada in 7 days." and reply["sender"] == "assistant"
    [request] = script.requests
    assert request["model"] == "tiny-test-model" and request["stream"] is True
    assert request["max_tokens"] == 120
    assert script.headers[0]["authorization"] == "Bearer sk-local-secret"
    system = [m["content"] for m in request["messages"] if m["role"] == "system"]
    assert len(system) == 3 and "Never reveal" in system[0]
    assert "Do you ship internationally?" in system[1]  # the store's knowledge, quoted
    assert "/products/ultra-stride-v2" in system[2] and "Ultra Stride V2" in system[2]
    assert all("Do you ship to Canada?" not in content for content in system)
    assert request["messages"][-1] == {"role": "user", "content": "Do you ship to Canada?"}
    answer(llm_panel, "And to Mexico?")  # the conversation so far goes along
    roles = [(m["role"], m["content"]) for m in script.requests[1]["messages"][3:]]
    assert roles == [
        ("user", "Do you ship to Canada?"),
        ("assistant", "We ship to Canada in 7 days."),
        ("user", "And to Mexico?"),
    ]


def test_a_timeout_falls_back_to_knowledge(llm_panel: ChatPanel, script: Script) -> None:
    script.delay = 1.2  # 3 chunks: past the 3 s limit
    assert answer(llm_panel, "Do you ship to Canada?")["text"].startswith(KNOWLEDGE_ANSWER)


@pytest.mark.parametrize("status", [500, 401, 429])
def test_an_error_falls_back_to_knowledge(
    llm_panel: ChatPanel, script: Script, status: int
) -> None:
    script.status = status
    reply = answer(llm_panel, "Do you ship to Canada?")
    assert reply["text"].startswith(KNOWLEDGE_ANSWER) and reply["source"] is not None
    assert len(script.requests) == 1  # no retries: a shopper is waiting


def test_an_invented_discount_is_refused(llm_panel: ChatPanel, script: Script) -> None:
    script.words = ["Use code ", "SAVE20 for ", "20% off your order. ", "Sure!"]
    messages = llm_panel.ask("Do you ship to Canada?")["messages"]
    assert len(messages) == 2 and messages[1]["text"].startswith(KNOWLEDGE_ANSWER)


def test_an_empty_answer_falls_back(llm_panel: ChatPanel, script: Script) -> None:
    script.words = ["", " "]
    assert answer(llm_panel, "Do you ship to Canada?")["text"].startswith(KNOWLEDGE_ANSWER)


def test_without_a_base_url_llm_sites_get_knowledge(
    runtime: Runtime, client: TestClient, site: CreatedSite, relay: Relay
) -> None:
    with runtime.database.write() as connection:
        add_demo_knowledge(connection, site.site_id, runtime.clock.now_ms())
        set_responder(connection, site.site_id, "llm")
    relay.send(page_view("2026-05-01T11:59:00Z", "/"))
    reply = ChatPanel(client, site.site_key_live).ask("Do you ship to Canada?")["messages"][1]
    assert reply["text"].startswith(KNOWLEDGE_ANSWER)
