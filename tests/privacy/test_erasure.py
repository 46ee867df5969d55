"""`DELETE /v1/visitors/{visitor_id}` on both backends (docs/api.md, "Erasure"): every trace of
the visitor is gone, checked by SQL over every table; other visitors keep everything except
attribution that depended on an erased session; repeated calls answer zeros; the log keeps
counts, never the id."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from elnudge.db.tables import erasures, metadata, nudge_offers, sessions
from elnudge.privacy.erasure import could_be_stored
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from tests.storefront import (
    ShopApi,
    envelope,
    nudge_reaction,
    nudge_shown,
    page_view,
    purchase,
)

ERASED = "cust_erased_7f3a"
OTHER = "cust_other_91bc"
SHARED = "cust_shared_55d0"
N_ERASED_1 = "nudg_01J1AAAAAAAAAAAAAAAAAAAAA1"
N_ERASED_2 = "nudg_01J1AAAAAAAAAAAAAAAAAAAAA2"
N_OTHER = "nudg_01J1AAAAAAAAAAAAAAAAAAAAA3"
N_SHARED = "nudg_01J1AAAAAAAAAAAAAAAAAAAAA4"


def erase(shop: ShopApi, visitor_id: str, **params: Any) -> Any:
    return shop.client.delete(f"/v1/visitors/{visitor_id}", headers=shop.headers, params=params)


def product_view(ts: str, **options: Any) -> dict[str, Any]:
    data = {"product_id": "ultra-stride-v2", "product_name": "Ultra Stride V2", "price": 129.0}
    return envelope("PRODUCT_VIEW", ts, "/products/ultra-stride-v2", data, **options)


def seed(shop: ShopApi) -> None:
    """The erased visitor: a nudge clicked in one session, a purchase in the next (an influenced
    conversion across sessions), another nudge, a product view. Another visitor with their own
    influenced nudge. A third visitor whose nudge was credited by a purchase in a session that
    also carried the erased visitor's id (a shared device)."""
    mine = {"visitor": ERASED}
    shop.ingest(
        page_view("2026-04-20T10:00:00Z", "/", session="ses_e1", **mine),
        product_view("2026-04-20T10:01:00Z", session="ses_e1", **mine),
        nudge_shown("2026-04-20T10:02:00Z", N_ERASED_1, "toast", session="ses_e1", **mine),
        nudge_reaction("NUDGE_CLICKED", "2026-04-20T10:03:00Z", N_ERASED_1, session="ses_e1"),
        page_view("2026-04-20T10:10:00Z", "/cart", session="ses_e2", **mine),
        purchase("2026-04-20T10:15:00Z", session="ses_e2", **mine),
        page_view("2026-04-21T09:00:00Z", "/", session="ses_e3", **mine),
        nudge_shown("2026-04-21T09:01:00Z", N_ERASED_2, "exit_modal", session="ses_e3", **mine),
        nudge_reaction("NUDGE_DISMISSED", "2026-04-21T09:02:00Z", N_ERASED_2, session="ses_e3"),
    )
    theirs = {"visitor": OTHER, "session": "ses_o1"}
    shop.ingest(
        page_view("2026-04-20T11:00:00Z", "/", **theirs),
        nudge_shown("2026-04-20T11:01:00Z", N_OTHER, "chat_bubble", **theirs),
        nudge_reaction("NUDGE_CHAT_OPENED", "2026-04-20T11:02:00Z", N_OTHER, **theirs),
        purchase("2026-04-20T11:20:00Z", **theirs),
    )
    shop.ingest(
        page_view("2026-04-20T12:00:00Z", "/", session="ses_s1", visitor=SHARED),
        nudge_shown("2026-04-20T12:01:00Z", N_SHARED, "toast", session="ses_s1", visitor=SHARED),
        nudge_reaction("NUDGE_CLICKED", "2026-04-20T12:02:00Z", N_SHARED, session="ses_s1"),
        # A shared device: the erased visitor browses, then the shared visitor signs in and buys;
        # the session belongs to the shared visitor (the latest id) and credits their nudge.
        page_view("2026-04-20T12:05:00Z", "/", session="ses_dev", visitor=ERASED),
        purchase("2026-04-20T12:10:00Z", session="ses_dev", visitor=SHARED),
    )


def session_ids_by_key(runtime: Runtime, site_id: str) -> dict[str, str]:
    with runtime.database.read() as connection:
        rows = connection.execute(
            select(sessions.c.client_key, sessions.c.session_id).where(
                sessions.c.site_id == site_id
            )
        )
        return {key: session_id for key, session_id in rows}


def every_row_of_the_site(runtime: Runtime, site_id: str) -> list[str]:
    """Every row of every table that has a site, as text: the whole database's view."""
    found = []
    with runtime.database.read() as connection:
        for table in metadata.sorted_tables:
            if "site_id" in table.c:
                for row in connection.execute(select(table).where(table.c.site_id == site_id)):
                    found.append(f"{table.name}: {tuple(row)!r}")
    return found


def test_erasure_removes_every_trace_and_only_that(
    runtime: Runtime, site: CreatedSite, shop: ShopApi
) -> None:
    seed(shop)
    keys = session_ids_by_key(runtime, site.site_id)
    erased_sessions = [keys[key] for key in ("ses_e1", "ses_e2", "ses_e3", "ses_dev")]
    with runtime.database.write() as connection:  # an offer the engine made in an erased session
        connection.execute(
            insert(nudge_offers),
            [
                {
                    "site_id": site.site_id,
                    "mode": "live",
                    "nudge_id": N_ERASED_1,
                    "session_id": keys["ses_e1"],
                    "visitor_id": ERASED,
                    "type": "toast",
                    "rule": "cart_hesitation",
                    "offered_at": 1,
                    "held_out": False,
                    "engine_version": "1",
                }
            ],
        )
    other_before = shop.detail(keys["ses_o1"])
    shared_before = shop.detail(keys["ses_s1"])
    assert shared_before["nudges"][0]["influenced_conversion"] is True
    traces_before = [row for row in every_row_of_the_site(runtime, site.site_id) if ERASED in row]
    assert {row.split(":")[0] for row in traces_before} >= {
        "sessions",
        "events",
        "nudges",
        "nudge_offers",
    }

    response = erase(shop, ERASED)

    assert response.status_code == 200, response.text
    assert response.json() == {"deleted": True, "sessions": 4, "events": 11}
    assert response.headers["Request-Id"].startswith("req_")
    everything = every_row_of_the_site(runtime, site.site_id)
    for trace in [ERASED, *erased_sessions, N_ERASED_1, N_ERASED_2]:
        assert [row for row in everything if trace in row] == []
    for session_id in erased_sessions:
        assert shop.get(session_id).status_code == 404
    assert shop.detail(keys["ses_o1"]) == other_before
    shared_after = shop.detail(keys["ses_s1"])
    # The purchase that credited the shared visitor's nudge was in an erased session.
    assert shared_after["nudges"][0]["influenced_conversion"] is False
    shared_after["nudges"][0]["influenced_conversion"] = True
    assert shared_after == shared_before
    assert erase(shop, ERASED).json() == {"deleted": True, "sessions": 0, "events": 0}
    with runtime.database.read() as connection:
        log = [
            dict(row)
            for row in connection.execute(
                select(erasures).where(erasures.c.site_id == site.site_id)
            ).mappings()
        ]
    # Both calls are logged (the frozen clock gives them the same time), neither with the id.
    assert sorted((row["mode"], row["sessions"], row["events"], row["nudges"]) for row in log) == [
        ("live", 0, 0, 0),
        ("live", 4, 11, 2),
    ]
    assert log[0]["erased_at"] == runtime.clock.now_ms()


def test_erasure_is_scoped_by_mode_and_site(
    runtime: Runtime, site: CreatedSite, shop: ShopApi, client: TestClient
) -> None:
    shop.ingest(page_view("2026-04-20T10:00:00Z", "/", session="a", visitor=ERASED))
    test_mode = ShopApi(client, site.secret_key_test)
    test_mode.ingest(page_view("2026-04-20T10:00:00Z", "/", session="a", visitor=ERASED))
    assert erase(test_mode, ERASED).json() == {"deleted": True, "sessions": 1, "events": 1}
    assert len(shop.sessions(**{"from": "2026-04-01"})) == 1
    assert test_mode.sessions(**{"from": "2026-04-01"}) == []


def test_a_visitor_id_that_needs_quoting_is_found(shop: ShopApi) -> None:
    shop.ingest(page_view("2026-04-20T10:00:00Z", "/", session="a", visitor="cust/42 ü?#"))
    response = erase(shop, "cust%2F42%20%C3%BC%3F%23")
    assert response.json() == {"deleted": True, "sessions": 1, "events": 1}


@pytest.mark.parametrize(
    "path",
    ["x" * 129, "%00", "bad%00id", "%FF%FE", "%ED%A0%80"],
)
def test_ids_that_were_never_storable_answer_zeros(shop: ShopApi, path: str) -> None:
    response = erase(shop, path)
    assert response.status_code == 200, response.text
    assert response.json() == {"deleted": True, "sessions": 0, "events": 0}


def test_could_be_stored() -> None:
    assert could_be_stored("a") and could_be_stored("x" * 128)
    assert not any(could_be_stored(value) for value in ("", "x" * 129, "a\x00", "\udcff"))


def test_errors_are_in_the_api_format(shop: ShopApi, client: TestClient, site: CreatedSite) -> None:
    assert client.delete("/v1/visitors/x").status_code == 401
    public = {"Authorization": f"Bearer {site.site_key_live}"}
    assert client.delete("/v1/visitors/x", headers=public).json()["error"] == "Unauthorized"
    response = erase(shop, "x", limit=3)
    assert response.status_code == 400
    assert response.json()["param"] == "limit"


def test_a_visitor_id_with_a_line_break_is_found(shop: ShopApi) -> None:
    shop.ingest(page_view("2026-04-20T10:00:00Z", "/", session="a", visitor="two\nlines\n"))
    response = erase(shop, "two%0Alines%0A")
    assert response.json() == {"deleted": True, "sessions": 1, "events": 1}
