"""A site answered by the llm responder, against the local OpenAI-compatible server
(fake_openai.py): for the llm tests, streamed or whole."""

from __future__ import annotations

from collections.abc import Iterator

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


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def llm_timeout() -> float:
    """ELNUDGE_LLM_TIMEOUT_SECONDS of the llm site (a test may override it)."""
    return 3.0


@pytest.fixture
def llm_runtime(
    database_url: str, database: Database, clock: FrozenClock, script: Script, llm_timeout: float
) -> Iterator[Runtime]:
    with fake_openai(script) as base_url:
        settings = Settings(
            database_url=database_url,
            migrate_on_start=False,
            llm_base_url=base_url,
            llm_model="tiny-test-model",
            llm_api_key="sk-local-secret",
            llm_timeout_seconds=llm_timeout,
            llm_max_tokens=120,
        )
        yield build_runtime(settings, database=database, clock=clock)


@pytest.fixture
def llm_panel(llm_runtime: Runtime, clock: FrozenClock) -> Iterator[ChatPanel]:
    """The chat panel of a shopper of the llm site, who has viewed a product and added it."""
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
