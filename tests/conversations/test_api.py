"""`GET /v1/conversations` and `GET /v1/conversations/{id}`: the sessions' cursor, window and
404 rules, on both backends; erasure and retention of transcripts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from elnudge.clock import FrozenClock
from elnudge.conversations.schemas import ConversationDetailResponse, ConversationList
from elnudge.conversations.service import erase_conversations
from elnudge.db.tables import conversation_messages, conversations
from elnudge.provisioning import CreatedSite
from elnudge.retention.purge import purge
from elnudge.runtime import Runtime
from elnudge.timestamps import format_timestamp_ms
from tests.conversations.chat import ChatPanel
from tests.storefront import Relay, ShopApi, page_view

DAY_S = 86_400


def chat_in_sessions(
    client: TestClient, site: CreatedSite, clock: FrozenClock, count: int, *, key: str = ""
) -> list[str]:
    """`count` sessions a minute apart, each with a conversation; their conversation ids."""
    relay = Relay(client, key or site.site_key_live)
    found = []
    for number in range(count):
        session = f"shopper-{number}"
        relay.send(page_view(format_timestamp_ms(clock.now_ms()), "/", session=session))
        reply = ChatPanel(client, key or site.site_key_live, session).ask(f"question {number}")
        found.append(reply["conversation_id"])
        clock.advance(seconds=60)
    return found


def listing(shop: ShopApi, **params: Any) -> Any:
    return shop.client.get("/v1/conversations", headers=shop.headers, params=params)


def walk(shop: ShopApi, **params: Any) -> list[str]:
    seen: list[str] = []
    response = listing(shop, **params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        ConversationList.model_validate(body)
        seen.extend(item["id"] for item in body["data"])
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return seen
        response = listing(shop, cursor=body["next_cursor"], limit=params.get("limit", 50))


def test_list_newest_first_across_pages(
    client: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    made = chat_in_sessions(client, site, clock, 5)
    assert walk(shop, limit=2) == list(reversed(made))
    first = listing(shop).json()["data"][0]
    assert first["message_count"] >= 1 and first["responder"] == "knowledge"


def test_filter_by_session_and_window(
    client: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    made = chat_in_sessions(client, site, clock, 3)
    sessions = {s["id"] for s in shop.sessions()}
    one = listing(shop).json()["data"][1]
    assert one["session_id"] in sessions
    assert walk(shop, session_id=one["session_id"]) == [one["id"]]
    assert walk(shop, session_id="sess_01HY8QVZK3MN2PXRT5GW4JCBD") == []
    later = listing(shop, **{"from": one["started_at"]}).json()["data"]
    assert [item["id"] for item in later] == [made[2], made[1]]
    page = listing(shop, limit=1, session_id=one["session_id"]).json()
    assert page["has_more"] is False


def test_cursor_rules_are_the_sessions(
    client: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    chat_in_sessions(client, site, clock, 3)
    cursor = listing(shop, limit=1).json()["next_cursor"]
    assert listing(shop, cursor="bm90IGEgY3Vyc29y").json()["param"] == "cursor"
    other = listing(shop, cursor=cursor, session_id="sess_01HY8QVZK3MN2PXRT5GW4JCBD")
    assert other.status_code == 400 and other.json()["param"] == "session_id"
    # A sessions cursor is not a conversations cursor.
    sessions_cursor = shop.list(limit=1).json()["next_cursor"]
    assert listing(shop, cursor=sessions_cursor).json()["param"] == "cursor"
    for params, param in (
        ({"limit": "0"}, "limit"),
        ({"from": "yesterday"}, "from"),
        ({"x": "1"}, "x"),
    ):
        response = listing(shop, **params)
        assert response.status_code == 400 and response.json()["param"] == param


def test_get_one_with_its_transcript(
    client: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    [conversation_id] = chat_in_sessions(client, site, clock, 1)
    response = client.get(f"/v1/conversations/{conversation_id}", headers=shop.headers)
    assert response.status_code == 200
    detail = ConversationDetailResponse.model_validate(response.json()).data
    assert detail.messages[0].sender == "shopper" and detail.messages[0].text == "question 0"
    assert detail.message_count == len(detail.messages)


@pytest.mark.parametrize(
    "conversation_id",
    ["conv_01HY8QVZK3MN2PXRT5GW4JCBD", "conv_nope", "sess_01HY8QVZK3MN2PXRT5GW4JCBD", "x" * 300],
)
def test_unknown_ids_are_404(client: TestClient, shop: ShopApi, conversation_id: str) -> None:
    response = client.get(f"/v1/conversations/{conversation_id}", headers=shop.headers)
    assert response.status_code == 404 and response.json()["param"] == "id"


def test_other_sites_and_modes_see_nothing(
    client: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi, runtime: Runtime
) -> None:
    from elnudge.provisioning import create_site

    [mine] = chat_in_sessions(client, site, clock, 1)
    test_mode = ShopApi(client, site.secret_key_test)
    assert walk(test_mode) == []
    assert client.get(f"/v1/conversations/{mine}", headers=test_mode.headers).status_code == 404
    with runtime.database.write() as connection:
        other = create_site(connection, name="Other", plan="starter", now_ms=clock.now_ms())
    stranger = ShopApi(client, other.secret_key_live)
    assert walk(stranger) == []
    assert client.get(f"/v1/conversations/{mine}", headers=stranger.headers).status_code == 404


def test_outside_the_plans_window_is_404(
    client: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    [conversation_id] = chat_in_sessions(client, site, clock, 1)
    clock.advance(seconds=31 * DAY_S)  # starter: the last 30 days
    assert walk(shop, **{"from": "2026-01-01T00:00:00Z"}) == []
    response = client.get(f"/v1/conversations/{conversation_id}", headers=shop.headers)
    assert response.status_code == 404


def test_requires_a_secret_key(client: TestClient, site: CreatedSite) -> None:
    headers = {"Authorization": f"Bearer {site.site_key_live}"}
    assert client.get("/v1/conversations", headers=headers).status_code == 401


def count(runtime: Runtime, site_id: str) -> tuple[int, int]:
    with runtime.database.read() as connection:
        talks = connection.execute(
            select(func.count())
            .select_from(conversations)
            .where(conversations.c.site_id == site_id)
        ).scalar_one()
        lines = connection.execute(
            select(func.count())
            .select_from(conversation_messages)
            .where(conversation_messages.c.site_id == site_id)
        ).scalar_one()
    return talks, lines


def test_erasing_the_visitor_erases_their_transcripts_only(
    client: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi, runtime: Runtime
) -> None:
    relay = Relay(client, site.site_key_live)
    relay.send(page_view(format_timestamp_ms(clock.now_ms()), "/", session="v", visitor="ann"))
    ChatPanel(client, site.site_key_live, "v").ask("erase me")
    chat_in_sessions(client, site, clock, 2)
    assert count(runtime, site.site_id)[0] == 3
    test_mode = {"Authorization": f"Bearer {site.secret_key_test}"}
    assert client.delete("/v1/visitors/ann", headers=test_mode).json()["sessions"] == 0
    assert count(runtime, site.site_id)[0] == 3  # the live visitor is not the test one
    assert client.delete("/v1/visitors/ann", headers=shop.headers).json()["sessions"] == 1
    assert count(runtime, site.site_id)[0] == 2
    session_ids = [item["session_id"] for item in listing(shop).json()["data"]]
    with runtime.database.write() as connection:
        assert erase_conversations(connection, site.site_id, "test", session_ids) == 0
        assert erase_conversations(connection, site.site_id, "live", session_ids) == 2
    assert count(runtime, site.site_id) == (0, 0)


def test_purge_keeps_transcripts_twelve_months(
    client: TestClient, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    chat_in_sessions(client, site, clock, 2)
    clock.advance(seconds=364 * DAY_S)
    purge(runtime.database, clock)
    assert count(runtime, site.site_id)[0] == 2  # sessions are gone, transcripts stay
    clock.advance(seconds=2 * DAY_S)
    report = purge(runtime.database, clock, batch_size=1)
    assert report.conversations >= 2
    assert count(runtime, site.site_id) == (0, 0)


def test_the_store_replies_and_the_shopper_sees_it(
    client: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    [conversation_id] = chat_in_sessions(client, site, clock, 1)
    url = f"/v1/conversations/{conversation_id}/messages"
    response = client.post(url, headers=shop.headers, json={"text": "  Yes, from 2pm.  "})
    assert response.status_code == 200, response.text
    message = response.json()["data"]
    assert message["sender"] == "merchant" and message["text"] == "Yes, from 2pm."
    panel = ChatPanel(client, site.site_key_live, "shopper-0")
    assert panel.transcript()["messages"][-1] == message
    detail = client.get(f"/v1/conversations/{conversation_id}", headers=shop.headers).json()
    assert detail["data"]["message_count"] == len(detail["data"]["messages"])


@pytest.mark.parametrize("body", [{}, {"text": " "}, {"text": 5}, {"text": "x" * 4001}, []])
def test_a_bad_reply_is_a_400_naming_text(
    client: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi, body: object
) -> None:
    [conversation_id] = chat_in_sessions(client, site, clock, 1)
    url = f"/v1/conversations/{conversation_id}/messages"
    response = client.post(url, headers=shop.headers, json=body)
    assert response.status_code == 400 and response.json()["param"] == "text"


def test_replies_follow_the_404_rules(
    client: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    [conversation_id] = chat_in_sessions(client, site, clock, 1)
    test_mode = {"Authorization": f"Bearer {site.secret_key_test}"}
    for target, headers in (
        (conversation_id, test_mode),
        ("conv_01HY8QVZK3MN2PXRT5GW4JCBD", shop.headers),
        ("nope", shop.headers),
    ):
        url = f"/v1/conversations/{target}/messages"
        response = client.post(url, headers=headers, json={"text": "hello"})
        assert response.status_code == 404
    url = f"/v1/conversations/{conversation_id}/messages"
    assert client.post(url, json={"text": "hello"}).status_code == 401
