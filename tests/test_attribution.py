"""Influenced conversions: the three cases of the public docs, and the edges (docs/api.md,
"Nudges")."""

from __future__ import annotations

from tests.storefront import ShopApi, nudge_reaction, nudge_shown, page_view, purchase

NUDGE = "nudg_01J1AAAAAAAAAAAAAAAAAAAAAA"


def nudge_of(shop: ShopApi, started_at: str) -> dict[str, object]:
    [session] = [s for s in shop.sessions() if s["started_at"] == started_at]
    nudges: list[dict[str, object]] = shop.detail(session["id"])["nudges"]
    [nudge] = nudges
    return nudge


def test_chat_opened_then_purchase_25_minutes_later_is_influenced(shop: ShopApi) -> None:
    shop.ingest(
        page_view("2026-04-20T13:55:00Z", "/"),
        nudge_shown("2026-04-20T13:58:00Z", NUDGE, "chat_bubble"),
        nudge_reaction("NUDGE_CHAT_OPENED", "2026-04-20T14:00:00Z", NUDGE),
        page_view("2026-04-20T14:15:00Z", "/checkout"),
        purchase("2026-04-20T14:25:00Z"),
    )
    nudge = nudge_of(shop, "2026-04-20T13:55:00Z")
    assert nudge["outcome"] == "chat_opened" and nudge["influenced_conversion"] is True


def test_click_then_purchase_35_minutes_later_is_not_influenced(shop: ShopApi) -> None:
    shop.ingest(
        page_view("2026-04-20T13:55:00Z", "/"),
        nudge_shown("2026-04-20T13:58:00Z", NUDGE, "toast"),
        nudge_reaction("NUDGE_CLICKED", "2026-04-20T14:00:00Z", NUDGE),
        page_view("2026-04-20T14:20:00Z", "/cart"),
        purchase("2026-04-20T14:35:00Z"),
    )
    nudge = nudge_of(shop, "2026-04-20T13:55:00Z")
    assert nudge["outcome"] == "clicked" and nudge["influenced_conversion"] is False


def test_purchase_in_a_later_session_of_the_same_visitor_is_influenced(shop: ShopApi) -> None:
    first = {"session": "ses_tab1", "visitor": "vis_42"}
    second = {"session": "ses_tab2", "visitor": "vis_42"}
    shop.ingest(
        page_view("2026-04-20T13:50:00Z", "/", **first),
        nudge_shown("2026-04-20T13:55:00Z", NUDGE, "exit_modal", **first),
        nudge_reaction("NUDGE_DISMISSED", "2026-04-20T14:00:00Z", NUDGE, **first),
    )
    assert nudge_of(shop, "2026-04-20T13:50:00Z")["influenced_conversion"] is False
    shop.ingest(
        page_view("2026-04-20T14:05:00Z", "/cart", **second),
        purchase("2026-04-20T14:20:00Z", **second),
    )
    assert nudge_of(shop, "2026-04-20T13:50:00Z")["influenced_conversion"] is True


def test_another_visitors_purchase_does_not_count(shop: ShopApi) -> None:
    shop.ingest(
        page_view("2026-04-20T13:50:00Z", "/", session="a", visitor="vis_a"),
        nudge_shown("2026-04-20T13:55:00Z", NUDGE, "toast", session="a", visitor="vis_a"),
        nudge_reaction("NUDGE_CLICKED", "2026-04-20T14:00:00Z", NUDGE, session="a"),
        page_view("2026-04-20T14:05:00Z", "/", session="b", visitor="vis_b"),
        purchase("2026-04-20T14:10:00Z", session="b"),
    )
    assert nudge_of(shop, "2026-04-20T13:50:00Z")["influenced_conversion"] is False


def test_a_nudge_only_shown_never_counts(shop: ShopApi) -> None:
    shop.ingest(
        page_view("2026-04-20T13:50:00Z", "/"),
        nudge_shown("2026-04-20T13:55:00Z", NUDGE, "toast"),
        purchase("2026-04-20T14:00:00Z"),
    )
    nudge = nudge_of(shop, "2026-04-20T13:50:00Z")
    assert nudge["outcome"] == "shown" and nudge["influenced_conversion"] is False


def test_window_is_measured_from_the_last_interaction_and_is_inclusive(shop: ShopApi) -> None:
    shop.ingest(
        page_view("2026-04-20T13:50:00Z", "/"),
        nudge_shown("2026-04-20T13:55:00Z", NUDGE, "chat_bubble"),
        nudge_reaction("NUDGE_CLICKED", "2026-04-20T13:56:00Z", NUDGE),
        nudge_reaction("NUDGE_DISMISSED", "2026-04-20T14:00:00Z", NUDGE),
        page_view("2026-04-20T14:20:00Z", "/checkout"),
        purchase("2026-04-20T14:30:00Z"),  # 34 min after the click, exactly 30 after the dismissal
    )
    nudge = nudge_of(shop, "2026-04-20T13:50:00Z")
    assert nudge["outcome"] == "clicked" and nudge["influenced_conversion"] is True


def test_outcome_is_the_most_engaged_state(shop: ShopApi) -> None:
    shop.ingest(
        page_view("2026-04-20T13:50:00Z", "/"),
        nudge_shown("2026-04-20T13:51:00Z", NUDGE, "chat_bubble"),
        nudge_reaction("NUDGE_CHAT_OPENED", "2026-04-20T13:52:00Z", NUDGE),
        nudge_reaction("NUDGE_CLICKED", "2026-04-20T13:53:00Z", NUDGE),
        nudge_reaction("NUDGE_DISMISSED", "2026-04-20T13:54:00Z", NUDGE),
    )
    assert nudge_of(shop, "2026-04-20T13:50:00Z")["outcome"] == "chat_opened"


def test_a_nudge_id_belongs_to_one_session(shop: ShopApi) -> None:
    shop.ingest(
        page_view("2026-04-20T13:50:00Z", "/", session="a"),
        nudge_shown("2026-04-20T13:51:00Z", NUDGE, "toast", session="a"),
    )
    response = shop.send(
        page_view("2026-04-20T15:00:00Z", "/", session="b"),
        nudge_shown("2026-04-20T15:01:00Z", NUDGE, "toast", session="b"),
    )
    assert response.status_code == 400
    assert response.json()["param"] == "events[1].data.nudge_id"
    assert len(shop.sessions()) == 1
