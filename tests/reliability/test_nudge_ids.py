"""A nudge id belongs to one session of one mode: a test key can neither block nor probe live
nudges, and no batch can take a nudge from the session that showed it, in any order."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from elnudge.provisioning import CreatedSite
from tests.storefront import Relay, ShopApi, nudge_reaction, nudge_shown, page_view, purchase

NUDGE = "nudg_01J1AAAAAAAAAAAAAAAAAAAAAA"


def test_a_test_mode_show_never_blocks_or_reveals_a_live_nudge(
    client: TestClient, site: CreatedSite, shop: ShopApi
) -> None:
    staging = ShopApi(client, site.secret_key_test)
    assert staging.ingest(nudge_shown("2026-04-20T10:00:00Z", NUDGE, "toast", session="t1"))
    live_batch = (
        page_view("2026-04-20T10:01:00Z", "/", session="l1"),
        nudge_shown("2026-04-20T10:01:05Z", NUDGE, "toast", session="l1"),
        nudge_reaction("NUDGE_CLICKED", "2026-04-20T10:01:10Z", NUDGE, session="l1"),
        purchase("2026-04-20T10:05:00Z", session="l1"),
    )
    assert shop.ingest(*live_batch) == {"accepted": 4, "duplicates": 0}
    [session] = shop.sessions()
    assert session["converted"] is True
    [nudge] = shop.detail(session["id"])["nudges"]
    assert nudge["nudge_id"] == NUDGE and nudge["influenced_conversion"] is True
    # And the other way round: the test key learns nothing about the live show.
    probe = staging.send(nudge_shown("2026-04-20T10:06:00Z", NUDGE, "toast", session="t2"))
    assert probe.status_code == 400  # only its own test-mode session t1 showed it
    assert staging.ingest(nudge_shown("2026-04-20T10:00:01Z", NUDGE, "toast", session="t1"))


def test_a_relayed_test_mode_show_never_blocks_a_live_batch(
    client: TestClient, site: CreatedSite, shop: ShopApi
) -> None:
    Relay(client, site.site_key_test).send(
        nudge_shown("2026-05-01T11:50:00Z", NUDGE, "toast", session="t1")
    )
    live = shop.send(
        nudge_shown("2026-05-01T11:51:00Z", NUDGE, "toast"), purchase("2026-05-01T11:52:00Z")
    )
    assert live.status_code == 200, live.text


def _owner_story(shop: ShopApi) -> str:
    """Session K1 shows the nudge, the shopper clicks it and buys: an influenced conversion."""
    shop.ingest(
        page_view("2026-04-20T10:00:00Z", "/", session="K1"),
        nudge_shown("2026-04-20T10:01:00Z", NUDGE, "toast", session="K1"),
        nudge_reaction("NUDGE_CLICKED", "2026-04-20T10:02:00Z", NUDGE, session="K1"),
        purchase("2026-04-20T10:10:00Z", session="K1"),
    )
    [session] = shop.sessions()
    return str(session["id"])


def _assert_k1_keeps_its_nudge(shop: ShopApi, k1: str) -> None:
    detail = shop.detail(k1)
    assert detail["nudge_count"] == 1
    [nudge] = detail["nudges"]
    assert nudge["nudge_id"] == NUDGE and nudge["influenced_conversion"] is True
    assert [s["id"] for s in shop.sessions()] == [k1]


def _thief_batch() -> list[dict[str, Any]]:
    return [
        nudge_shown("2026-04-20T10:20:00Z", NUDGE, "toast", session="K2"),
        page_view("2026-04-20T10:05:00Z", "/inside-k1", session="K1"),  # inside K1's span
    ]


def test_no_batch_can_take_a_nudge_from_its_session_in_any_order(shop: ShopApi) -> None:
    k1 = _owner_story(shop)
    for batch, thief_index in ((_thief_batch(), 0), (_thief_batch()[::-1], 1)):
        response = shop.send(*batch)
        assert response.status_code == 400, response.text
        assert response.json()["param"] == f"events[{thief_index}].data.nudge_id"
        _assert_k1_keeps_its_nudge(shop, k1)


def test_the_relay_drops_only_the_stealing_show_in_any_order(
    client: TestClient, site: CreatedSite, shop: ShopApi
) -> None:
    relay = Relay(client, site.site_key_live)
    relay.send(
        page_view("2026-05-01T11:00:00Z", "/", session="K1"),
        nudge_shown("2026-05-01T11:01:00Z", NUDGE, "toast", session="K1"),
        nudge_reaction("NUDGE_CLICKED", "2026-05-01T11:02:00Z", NUDGE, session="K1"),
        purchase("2026-05-01T11:10:00Z", session="K1"),
    )
    [k1] = [s["id"] for s in shop.sessions()]
    thief = nudge_shown("2026-05-01T11:20:00Z", NUDGE, "toast", session="K2")
    inside = page_view("2026-05-01T11:05:00Z", "/inside-k1", session="K1")
    for batch, thief_index in (([thief, inside], 0), ([inside, thief], 1)):
        result = relay.send(*batch)
        assert result["accepted"] == 1 and result["invalid"] == 1, result
        assert result["errors"][0]["index"] == thief_index
        _assert_k1_keeps_its_nudge(shop, k1)
