"""`POST /v1/relay/messages` and `/v1/relay/transcript`: the shopper's side of a conversation.
Every message test runs twice: answered whole (JSON) and streamed (server-sent events, as the
SDK asks), so the key, origin, length and rate rules are the same for both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import Database
from elnudge.db.tables import conversation_messages, conversations
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime, build_runtime
from tests.conversations.chat import ChatPanel
from tests.storefront import Relay, ShopApi, nudge_shown, page_view, purchase

NOW = "2026-05-01T12:00:00Z"


@pytest.fixture(params=[False, True], ids=["json", "events"])
def streamed(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def panel(client: TestClient, site: CreatedSite, relay: Relay, streamed: bool) -> ChatPanel:
    """The panel of a shopper whose session has begun (the SDK sends events first)."""
    relay.send(page_view("2026-05-01T11:59:00Z", "/products/ultra-stride-v2"))
    return ChatPanel(client, site.site_key_live, streamed=streamed)


def test_a_message_is_stored_with_its_session(
    panel: ChatPanel, shop: ShopApi, clock: FrozenClock
) -> None:
    reply = panel.ask("  Do you ship to Canada?  ")
    shopper = reply["messages"][0]
    assert reply["conversation_id"].startswith("conv_")
    assert shopper["sender"] == "shopper" and shopper["text"] == "Do you ship to Canada?"
    assert shopper["id"].startswith("msg_") and shopper["sent_at"] == NOW
    second = panel.ask("And to Mexico?")
    assert second["conversation_id"] == reply["conversation_id"]  # one per session
    transcript = panel.transcript()
    assert transcript["conversation_id"] == reply["conversation_id"]
    texts = [message["text"] for message in transcript["messages"]]
    assert texts[0] == "Do you ship to Canada?" and "And to Mexico?" in texts
    [session] = shop.sessions()
    clock.advance(seconds=1)  # `to` defaults to now, exclusive
    listed = shop.client.get("/v1/conversations", headers=shop.headers).json()["data"]
    assert [item["session_id"] for item in listed] == [session["id"]]


def test_the_transcript_of_a_session_without_messages_is_empty(panel: ChatPanel) -> None:
    assert panel.transcript() == {"conversation_id": None, "messages": []}
    stranger = ChatPanel(panel.client, panel.site_key, session="never-seen")
    assert stranger.transcript() == {"conversation_id": None, "messages": []}


def test_a_message_before_any_event_is_a_400(
    client: TestClient, site: CreatedSite, streamed: bool
) -> None:
    panel = ChatPanel(client, site.site_key_live, session="no-events", streamed=streamed)
    response = panel.say("Hello?")
    assert response.status_code == 400
    assert response.json()["param"] == "session_id"
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ([], 400, "body"),
        ({"session_id": "ses_test", "text": "hi"}, 401, None),
        ({"site_key": "pk_live_nope", "session_id": "ses_test", "text": "hi"}, 401, None),
        ({"site_key": "KEY", "session_id": "ses_test"}, 400, "text"),
        ({"site_key": "KEY", "session_id": "ses_test", "text": "   "}, 400, "text"),
        ({"site_key": "KEY", "session_id": "ses_test", "text": 7}, 400, "text"),
        ({"site_key": "KEY", "session_id": "ses_test", "text": "a\x00b"}, 400, "text"),
        ({"site_key": "KEY", "text": "hi"}, 400, "session_id"),
        (
            {"site_key": "KEY", "session_id": "ses_test", "text": "hi", "nudge_id": 5},
            400,
            "nudge_id",
        ),
        (
            {"site_key": "KEY", "session_id": "ses_test", "text": "hi", "nudge_id": "bad id"},
            400,
            "nudge_id",
        ),
        (
            {
                "site_key": "KEY",
                "session_id": "ses_test",
                "text": "hi",
                "nudge_id": "nudg_1",
                "url": "x",
            },
            400,
            "url",
        ),
    ],
)
def test_bad_messages_are_refused_naming_the_field(
    panel: ChatPanel, body: object, status: int, param: str | None
) -> None:
    if isinstance(body, dict) and body.get("site_key") == "KEY":
        body = {**body, "site_key": panel.site_key}
    response = panel.post("messages", body)
    assert response.status_code == status, response.text
    assert response.json().get("param") == param
    assert response.headers["access-control-allow-origin"] == "*"
    assert panel.transcript()["messages"] == []  # nothing half-stored


def test_a_secret_key_is_refused(panel: ChatPanel, site: CreatedSite) -> None:
    body = {"site_key": site.secret_key_live, "session_id": "ses_test", "text": "hi"}
    assert panel.post("messages", body).status_code == 401


def test_the_length_limit(panel: ChatPanel) -> None:
    limit = Settings().chat_max_message_chars
    assert panel.say("x" * limit).status_code == 200
    too_long = panel.say("x" * (limit + 1))
    assert too_long.status_code == 400 and too_long.json()["param"] == "text"
    assert str(limit) in too_long.json()["message"].replace(",", "")


def test_the_allow_list_of_origins_applies(
    panel: ChatPanel, runtime: Runtime, site: CreatedSite
) -> None:
    from elnudge.sites.origins import set_allowed_origins

    with runtime.database.write() as connection:
        set_allowed_origins(connection, site.site_id, ["https://other.example"])
    body = {"site_key": panel.site_key, "session_id": "ses_test", "text": "hi"}
    assert panel.post("messages", body).status_code == 403
    assert panel.post("transcript", body).status_code == 403


def test_preflight_allows_any_origin(client: TestClient) -> None:
    for path in ("messages", "transcript"):
        response = client.options(f"/v1/relay/{path}")
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == "*"


def test_modes_keep_their_conversations_apart(
    panel: ChatPanel, relay: Relay, site: CreatedSite
) -> None:
    panel.ask("live question")
    test_relay = Relay(relay.client, site.site_key_test)
    test_relay.send(page_view("2026-05-01T11:59:30Z", "/"))
    test_panel = ChatPanel(relay.client, site.site_key_test, streamed=panel.streamed)
    assert test_panel.transcript()["messages"] == []
    test_panel.ask("test question")
    assert next(m["text"] for m in test_panel.transcript()["messages"]) == "test question"
    assert next(m["text"] for m in panel.transcript()["messages"]) == "live question"


def test_a_message_counts_as_an_interaction_for_attribution(
    panel: ChatPanel, relay: Relay, shop: ShopApi, clock: FrozenClock
) -> None:
    nudge = "nudg_chat1"
    relay.send(nudge_shown("2026-05-01T11:59:10Z", nudge, "chat_bubble"))
    panel.ask("Is this in stock?", nudge_id=nudge, url="https://shop.example/products/x")
    clock.advance(seconds=20 * 60)
    relay.send(purchase("2026-05-01T12:20:00Z"))
    [session] = shop.sessions()
    [shown] = shop.detail(session["id"])["nudges"]
    assert shown["outcome"] == "chat_opened" and shown["influenced_conversion"] is True


@pytest.fixture
def strict_runtime(database_url: str, database: Database, clock: FrozenClock) -> Runtime:
    settings = Settings(
        database_url=database_url,
        migrate_on_start=False,
        chat_session_rate_limit_per_minute=3,
        chat_client_rate_limit_per_minute=5,
    )
    return build_runtime(settings, database=database, clock=clock)


@pytest.fixture
def strict_client(strict_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=strict_runtime), raise_server_exceptions=False) as client:
        yield client


def test_rate_limits_per_session_and_per_client(
    strict_client: TestClient, strict_runtime: Runtime, clock: FrozenClock, streamed: bool
) -> None:
    with strict_runtime.database.write() as connection:
        site = create_site(connection, name="Chatty", plan="starter", now_ms=clock.now_ms())
    relay = Relay(strict_client, site.site_key_live)
    relay.send(
        page_view("2026-05-01T11:59:00Z", "/", session="a"),
        page_view("2026-05-01T11:59:00Z", "/", session="b"),
    )
    first, second = (
        ChatPanel(strict_client, site.site_key_live, "a", streamed=streamed),
        ChatPanel(strict_client, site.site_key_live, "b", streamed=streamed),
    )
    for _ in range(3):
        first.ask("hello")
    refused = first.say("hello")
    assert refused.status_code == 429 and refused.headers["retry-after"]
    assert refused.headers["access-control-allow-origin"] == "*"
    second.ask("hello")  # another session of the same client: its own session budget
    # ... but not its own client's: 5 counted (the refused message's included) of 5.
    assert second.say("hello").status_code == 429
    with strict_runtime.database.read() as connection:
        stored = connection.execute(
            select(conversation_messages.c.text).where(
                conversation_messages.c.site_id == site.site_id,
                conversation_messages.c.sender == "shopper",
            )
        ).all()
        started = connection.execute(
            select(conversations.c.session_id).where(conversations.c.site_id == site.site_id)
        ).all()
    assert len(stored) == 4 and len(started) == 2
    clock.advance(seconds=61)
    first.ask("hello again")
