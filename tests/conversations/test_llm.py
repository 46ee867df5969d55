"""The llm responder against a local OpenAI-compatible server: the request it sends (model,
limits, streaming, instructions apart from shopper text, this session's context and the store's
knowledge), the streamed answer, and the knowledge fallback on a timeout, an error and an
invented offer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.conversations.service import set_responder
from elnudge.db import Database
from elnudge.knowledge.demo import add_demo_knowledge
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime, build_runtime
from tests.conversations.chat import ChatPanel
from tests.conversations.fake_openai import Script, fake_openai
from tests.storefront import Relay, add_to_cart, page_view

KNOWLEDGE_ANSWER = "Yes: we ship to Canada"


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def llm_runtime(
    database_url: str, database: Database, clock: FrozenClock, script: Script
) -> Iterator[Runtime]:
    with fake_openai(script) as base_url:
        settings = Settings(
            database_url=database_url,
            migrate_on_start=False,
            llm_base_url=base_url,
            llm_model="tiny-test-model",
            llm_api_key="sk-local-secret",
            llm_timeout_seconds=3.0,
            llm_max_tokens=120,
        )
        yield build_runtime(settings, database=database, clock=clock)


@pytest.fixture
def panel(llm_runtime: Runtime, clock: FrozenClock) -> Iterator[ChatPanel]:
    with llm_runtime.database.write() as connection:
        site: CreatedSite = create_site(connection, name="LLM", plan="starter", now_ms=0)
        add_demo_knowledge(connection, site.site_id, clock.now_ms())
        set_responder(connection, site.site_id, "llm")
    with TestClient(create_app(runtime=llm_runtime), raise_server_exceptions=False) as client:
        Relay(client, site.site_key_live).send(
            page_view("2026-05-01T11:58:00Z", "/products/ultra-stride-v2"),
            add_to_cart("2026-05-01T11:59:00Z"),
        )
        yield ChatPanel(client, site.site_key_live)


def answer(panel: ChatPanel, text: str) -> dict[str, Any]:
    messages = panel.ask(text)["messages"]
    assert messages[0]["text"] == text
    reply: dict[str, Any] = messages[1]
    return reply


def test_the_streamed_answer_and_the_request_it_came_from(panel: ChatPanel, script: Script) -> None:
    reply = answer(panel, "Do you ship to Canada?")
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
    answer(panel, "And to Mexico?")  # the conversation so far goes along
    roles = [(m["role"], m["content"]) for m in script.requests[1]["messages"][3:]]
    assert roles == [
        ("user", "Do you ship to Canada?"),
        ("assistant", "We ship to Canada in 7 days."),
        ("user", "And to Mexico?"),
    ]


def test_a_timeout_falls_back_to_knowledge(panel: ChatPanel, script: Script) -> None:
    script.delay = 1.2  # 3 chunks: past the 3 s limit
    assert answer(panel, "Do you ship to Canada?")["text"].startswith(KNOWLEDGE_ANSWER)


@pytest.mark.parametrize("status", [500, 401, 429])
def test_an_error_falls_back_to_knowledge(panel: ChatPanel, script: Script, status: int) -> None:
    script.status = status
    reply = answer(panel, "Do you ship to Canada?")
    assert reply["text"].startswith(KNOWLEDGE_ANSWER) and reply["source"] is not None
    assert len(script.requests) == 1  # no retries: a shopper is waiting


def test_an_invented_discount_is_refused(panel: ChatPanel, script: Script) -> None:
    script.words = ["Sure! Use code ", "SAVE20 for ", "20% off your order."]
    assert answer(panel, "Do you ship to Canada?")["text"].startswith(KNOWLEDGE_ANSWER)


def test_an_empty_answer_falls_back(panel: ChatPanel, script: Script) -> None:
    script.words = ["", " "]
    assert answer(panel, "Do you ship to Canada?")["text"].startswith(KNOWLEDGE_ANSWER)


def test_without_a_base_url_llm_sites_get_knowledge(
    runtime: Runtime, client: TestClient, site: CreatedSite, relay: Relay
) -> None:
    with runtime.database.write() as connection:
        add_demo_knowledge(connection, site.site_id, runtime.clock.now_ms())
        set_responder(connection, site.site_id, "llm")
    relay.send(page_view("2026-05-01T11:59:00Z", "/"))
    reply = ChatPanel(client, site.site_key_live).ask("Do you ship to Canada?")["messages"][1]
    assert reply["text"].startswith(KNOWLEDGE_ANSWER)
