"""The knowledge responder through the chat panel's route: answers with their source, an
honest "I don't know" below the threshold, and no answer now when the site's responder is
human."""

from __future__ import annotations

from fastapi.testclient import TestClient

from elnudge.clock import FrozenClock
from elnudge.conversations.responders import DONT_KNOW
from elnudge.conversations.service import set_responder
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from tests.conversations.chat import ChatPanel
from tests.knowledge.demo import stock_the_demo_store
from tests.storefront import Relay, ShopApi, page_view


def open_panel(runtime: Runtime, site: CreatedSite, relay: Relay, client: TestClient) -> ChatPanel:
    stock_the_demo_store(runtime, site, relay)
    relay.send(page_view("2026-05-01T11:59:00Z", "/"))
    return ChatPanel(client, site.site_key_live)


def test_answers_with_the_matched_source(
    runtime: Runtime, site: CreatedSite, relay: Relay, client: TestClient, shop: ShopApi
) -> None:
    panel = open_panel(runtime, site, relay, client)
    shopper, answer = panel.ask("Do you ship to Canada?")["messages"]
    assert shopper["sender"] == "shopper"
    assert answer["sender"] == "assistant" and answer["text"].startswith("Yes: we ship to Canada")
    assert answer["source"] == {
        "kind": "faq",
        "title": "Do you ship internationally?",
        "url": "/pages/shipping",
    }
    assert answer["sent_at"] >= shopper["sent_at"]
    _, product = panel.ask("Is the Tempo Racer 3 in stock?")["messages"]
    assert product["text"] == "Tempo Racer 3 costs 159.00 USD and is in stock (3 left)."
    assert product["source"]["kind"] == "product"
    transcript = panel.transcript()["messages"]
    assert [m["sender"] for m in transcript] == ["shopper", "assistant"] * 2


def test_says_it_does_not_know_below_the_threshold(
    runtime: Runtime, site: CreatedSite, relay: Relay, client: TestClient
) -> None:
    panel = open_panel(runtime, site, relay, client)
    _, answer = panel.ask("Who won the game last night?")["messages"]
    assert answer == {**answer, "sender": "assistant", "text": DONT_KNOW, "source": None}


def test_a_human_responder_answers_later(
    runtime: Runtime,
    site: CreatedSite,
    relay: Relay,
    client: TestClient,
    shop: ShopApi,
    clock: FrozenClock,
) -> None:
    panel = open_panel(runtime, site, relay, client)
    with runtime.database.write() as connection:
        set_responder(connection, site.site_id, "human")
    [shopper] = panel.ask("Do you ship to Canada?")["messages"]
    assert shopper["sender"] == "shopper"
    clock.advance(seconds=1)
    [listed] = shop.client.get("/v1/conversations", headers=shop.headers).json()["data"]
    assert listed["responder"] == "human" and listed["message_count"] == 1


def test_shopper_text_is_stored_as_written_never_as_markup(
    runtime: Runtime, site: CreatedSite, relay: Relay, client: TestClient
) -> None:
    panel = open_panel(runtime, site, relay, client)
    hostile = "<img src=x onerror=alert(1)> & <b>returns</b>?"
    shopper = panel.ask(hostile)["messages"][0]
    assert shopper["text"] == hostile  # the API returns text; the widget renders it as text
