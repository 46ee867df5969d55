"""The Session page's chat: the transcript with who wrote each message and when (in the site's
time zone), the shopper's text escaped; an owner's reply stored as the store's message (the
API shows it); viewers, forged forms, bad text and chat-less sessions refused, nothing stored."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from elnudge.clock import FrozenClock
from elnudge.dashboard.times import local_time
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime
from elnudge.sites.service import update_site
from elnudge.timestamps import format_timestamp_ms
from tests.conversations.chat import ChatPanel
from tests.dashboard.conftest import add_user, csrf_of, sign_in
from tests.storefront import Relay, ShopApi, page_view

HOSTILE = '<img src=x onerror="alert(1)">Do you <b>ship</b> to Canada?'


def chatting_session(client: TestClient, site: CreatedSite, clock: FrozenClock) -> str:
    """A session whose shopper asked HOSTILE in the chat panel; its id."""
    Relay(client, site.site_key_live).send(page_view(format_timestamp_ms(clock.now_ms()), "/"))
    conversation_id = ChatPanel(client, site.site_key_live).ask(HOSTILE)["conversation_id"]
    shop = ShopApi(client, site.secret_key_live)
    detail = shop.client.get(f"/v1/conversations/{conversation_id}", headers=shop.headers)
    session_id: str = detail.json()["data"]["session_id"]
    clock.advance(seconds=60)  # the session, started "now", is then inside the API's window
    return session_id


def transcript(shop: ShopApi) -> dict[str, Any]:
    listed = shop.client.get("/v1/conversations", headers=shop.headers).json()["data"]
    detail = shop.client.get(f"/v1/conversations/{listed[0]['id']}", headers=shop.headers)
    data: dict[str, Any] = detail.json()["data"]
    return data


def page_of(site: CreatedSite, session_id: str, tail: str = "") -> str:
    return f"/dashboard/sites/{site.site_id}/sessions/{session_id}{tail}"


def test_the_transcript_shows_who_wrote_what_and_when_escaped(
    signed_in: TestClient,
    site: CreatedSite,
    clock: FrozenClock,
    shop: ShopApi,
    runtime: Runtime,
) -> None:
    session_id = chatting_session(signed_in, site, clock)
    with runtime.database.write() as connection:
        update_site(connection, site.site_id, timezone="Asia/Tokyo")
    html = signed_in.get(page_of(site, session_id)).text
    messages = transcript(shop)["messages"]
    assert [m["sender"] for m in messages] == ["shopper", "assistant"]
    assert 'id="chat"' in html
    assert '<span class="sender">Shopper</span>' in html
    assert '<span class="sender">The store&#39;s assistant</span>' in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Do you &lt;b&gt;ship&lt;/b&gt;" in html
    assert "<img src=x" not in html and "<b>ship</b>" not in html
    sent_at = messages[0]["sent_at"]
    assert local_time(sent_at, "Asia/Tokyo", True) in html
    assert local_time(sent_at, "UTC", True) not in html  # not UTC: the site's zone
    assert 'action="/dashboard/sites/' in html and 'name="text"' in html  # the owner's form


def test_an_owners_reply_is_the_stores_message(
    signed_in: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    session_id = chatting_session(signed_in, site, clock)
    token = csrf_of(signed_in.get(page_of(site, session_id)).text)
    clock.advance(seconds=30)
    answered = signed_in.post(
        page_of(site, session_id, "/reply"),
        data={"csrf_token": token, "text": "  Yes, we ship to Canada <in 5 days>.  "},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    assert answered.headers["location"] == page_of(site, session_id, "#chat")
    last = transcript(shop)["messages"][-1]
    assert last["sender"] == "merchant" and last["text"] == "Yes, we ship to Canada <in 5 days>."
    assert (
        ChatPanel(signed_in, site.site_key_live).transcript()["messages"][-1]["text"]
        == (last["text"])
    )  # what the shopper's panel draws at its next poll
    html = signed_in.get(page_of(site, session_id)).text
    assert '<span class="sender">The store</span>' in html
    assert "Yes, we ship to Canada &lt;in 5 days&gt;." in html


def test_bad_text_is_a_message_and_stores_nothing(
    signed_in: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    session_id = chatting_session(signed_in, site, clock)
    token = csrf_of(signed_in.get(page_of(site, session_id)).text)
    for text, message in (("   ", "something besides spaces"), ("x" * 4001, "longer than 4,000")):
        response = signed_in.post(
            page_of(site, session_id, "/reply"), data={"csrf_token": token, "text": text}
        )
        assert response.status_code == 400 and message in response.text
        assert 'role="alert"' in response.text and 'id="chat"' in response.text
    missing = signed_in.post(page_of(site, session_id, "/reply"), data={"csrf_token": token})
    assert missing.status_code == 400
    assert len(transcript(shop)["messages"]) == 2


def test_a_viewer_reads_the_chat_but_cannot_reply(
    client: TestClient, site: CreatedSite, clock: FrozenClock, runtime: Runtime, shop: ShopApi
) -> None:
    session_id = chatting_session(client, site, clock)
    viewer = add_user(runtime, site.site_id, f"viewer-{site.site_id.lower()}@example.com", "viewer")
    assert sign_in(client, viewer).status_code == 303
    html = client.get(page_of(site, session_id)).text
    assert 'id="chat"' in html and "Do you &lt;b&gt;ship" in html
    assert 'name="text"' not in html and "Only the site's owners can answer" in html
    token = csrf_of(html)  # the sign-out form's: a valid token of this session
    response = client.post(
        page_of(site, session_id, "/reply"), data={"csrf_token": token, "text": "Hello"}
    )
    assert response.status_code == 403 and "Viewers can read the chat" in response.text
    assert len(transcript(shop)["messages"]) == 2


def test_a_forged_reply_is_refused(
    signed_in: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    session_id = chatting_session(signed_in, site, clock)
    for token in ("", "0" * 64):
        response = signed_in.post(
            page_of(site, session_id, "/reply"), data={"csrf_token": token, "text": "Hi"}
        )
        assert response.status_code == 403 and "did not come from this dashboard" in response.text
    assert len(transcript(shop)["messages"]) == 2


def test_a_session_without_a_chat_has_no_chat_and_no_reply(
    signed_in: TestClient, site: CreatedSite, clock: FrozenClock, shop: ShopApi
) -> None:
    Relay(signed_in, site.site_key_live).send(page_view(format_timestamp_ms(clock.now_ms()), "/"))
    clock.advance(seconds=60)
    session_id = shop.sessions()[0]["id"]
    html = signed_in.get(page_of(site, session_id)).text
    assert 'id="chat"' not in html
    token = csrf_of(html)
    for target in (session_id, "sess_01JXXXXXXXXXXXXXXXXXXXXXXX"):
        response = signed_in.post(
            page_of(site, target, "/reply"), data={"csrf_token": token, "text": "Hi"}
        )
        assert response.status_code == 404


def test_another_sites_session_is_a_404(
    signed_in: TestClient, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    with runtime.database.write() as connection:
        other = create_site(connection, name="Other", plan="starter", now_ms=0)
    session_id = chatting_session(signed_in, other, clock)
    token = csrf_of(signed_in.get(f"/dashboard/sites/{site.site_id}/sessions").text)
    for site_id in (other.site_id, site.site_id):
        page = signed_in.get(f"/dashboard/sites/{site_id}/sessions/{session_id}")
        posted = signed_in.post(
            f"/dashboard/sites/{site_id}/sessions/{session_id}/reply",
            data={"csrf_token": token, "text": "Hi"},
        )
        assert page.status_code == 404 and posted.status_code == 404
