"""The seed document's example session, reproduced from events."""

from __future__ import annotations

from elnudge.sessions.schemas import SessionDetailResponse, SessionList
from tests.storefront import ShopApi, add_to_cart, nudge_reaction, nudge_shown, page_view, purchase

TOAST = "nudg_01HY8QWK9LMNO2PQR3ST4UV5WX"  # the seed's own (not ULID) ids are accepted
CHAT = "nudg_01HY8QXA1BCDE2FGH3IJ4KL5MN"


def seed_events() -> list[dict[str, object]]:
    return [
        page_view("2026-04-29T10:14:32Z", "/collections/running"),
        nudge_shown("2026-04-29T10:14:45Z", CHAT, "chat_bubble", "/collections/running"),
        page_view("2026-04-29T10:15:48Z", "/products/ultra-stride-v2"),
        nudge_shown("2026-04-29T10:16:30Z", TOAST, "toast", "/products/ultra-stride-v2"),
        nudge_reaction("NUDGE_CLICKED", "2026-04-29T10:16:41Z", TOAST, "/products/ultra-stride-v2"),
        page_view("2026-04-29T10:17:30Z", "/products/trail-blazer?color=red"),
        page_view("2026-04-29T10:19:02Z", "/collections/running/"),  # the same page
        page_view("2026-04-29T10:20:40Z", "/products/ultra-stride-v2"),
        add_to_cart("2026-04-29T10:22:15Z"),
        page_view("2026-04-29T10:24:00Z", "/cart"),
        page_view("2026-04-29T10:25:30Z", "/checkout"),
        purchase("2026-04-29T10:27:44Z"),
        page_view("2026-04-29T10:28:07Z", "/checkout/thank-you#top"),
    ]


def test_seed_session_round_trip(shop: ShopApi) -> None:
    assert shop.ingest(*seed_events()) == {"accepted": 13, "duplicates": 0}

    listing = shop.list(
        **{"from": "2026-04-01T00:00:00Z", "to": "2026-04-30T23:59:59Z", "limit": 50}
    )
    body = listing.json()
    SessionList.model_validate(body)
    assert list(body) == ["data", "next_cursor", "has_more"]
    assert body["has_more"] is False and body["next_cursor"] is None
    [session] = body["data"]
    assert list(session) == [
        "id",
        "started_at",
        "ended_at",
        "page_count",
        "intent_score",
        "converted",
        "nudge_count",
    ]
    assert session["id"].startswith("sess_") and len(session["id"]) == 31
    assert session["started_at"] == "2026-04-29T10:14:32Z"
    assert session["ended_at"] == "2026-04-29T10:28:07Z"
    assert session["page_count"] == 6
    assert session["converted"] is True
    assert session["nudge_count"] == 2
    assert 70 <= session["intent_score"] <= 100

    detail_body = shop.get(session["id"]).json()
    SessionDetailResponse.model_validate(detail_body)
    detail = detail_body["data"]
    assert {key: detail[key] for key in session} == session
    assert [event["type"] for event in detail["events"]] == [
        "PAGE_VIEW",
        "PAGE_VIEW",
        "PAGE_VIEW",
        "PAGE_VIEW",
        "PAGE_VIEW",
        "ADD_TO_CART",
        "PAGE_VIEW",
        "PAGE_VIEW",
        "PURCHASE",
        "PAGE_VIEW",
    ]
    assert detail["events"][0] == {
        "type": "PAGE_VIEW",
        "url": "/collections/running",
        "occurred_at": "2026-04-29T10:14:32Z",
    }
    assert detail["events"][2]["url"] == "/products/trail-blazer?color=red"
    assert detail["events"][-1]["url"] == "/checkout/thank-you"
    assert detail["nudges"] == [
        {
            "nudge_id": TOAST,
            "type": "toast",
            "shown_at": "2026-04-29T10:16:30Z",
            "outcome": "clicked",
            "influenced_conversion": True,
        },
        {
            "nudge_id": CHAT,
            "type": "chat_bubble",
            "shown_at": "2026-04-29T10:14:45Z",
            "outcome": "shown",
            "influenced_conversion": False,
        },
    ]
