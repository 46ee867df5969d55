"""GET /v1/sessions: windows, ordering, pagination and parameter errors."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from elnudge.clock import FrozenClock
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.timestamps import format_timestamp_ms, parse_timestamp
from tests.storefront import ShopApi, page_view

BASE = datetime(2026, 4, 20, tzinfo=UTC)


def at(minutes: float) -> str:
    return format_timestamp_ms(int((BASE + timedelta(minutes=minutes)).timestamp() * 1000))


def one_page_sessions(shop: ShopApi, minutes: Sequence[float], prefix: str = "ses") -> None:
    """One single-page session per entry, each with its own client key."""
    events = [page_view(at(m), "/", session=f"{prefix}_{i}") for i, m in enumerate(minutes)]
    for start in range(0, len(events), 500):
        shop.ingest(*events[start : start + 500])


def test_newest_first_with_exact_has_more(shop: ShopApi) -> None:
    one_page_sessions(shop, [0, 60, 120])
    body = shop.list(limit=2).json()
    assert [s["started_at"] for s in body["data"]] == [at(120)[:19] + "Z", at(60)[:19] + "Z"]
    assert body["has_more"] is True
    rest = shop.list(cursor=body["next_cursor"], limit=2).json()
    assert len(rest["data"]) == 1 and rest["has_more"] is False and rest["next_cursor"] is None
    exact = shop.list(limit=3).json()
    assert len(exact["data"]) == 3 and exact["has_more"] is False and exact["next_cursor"] is None


def test_ties_on_started_at_are_ordered_by_id_descending(shop: ShopApi) -> None:
    one_page_sessions(shop, [5, 5, 5, 5, 5])
    walked = shop.walk(limit=2)
    ids = [s["id"] for s in walked]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)


@pytest.mark.parametrize("limit", [1, 7, 50, 200])
def test_walk_returns_every_session_once_in_order(shop: ShopApi, limit: int) -> None:
    minutes = [i * 37 % 5000 for i in range(230)]  # distinct-ish times, some shared
    one_page_sessions(shop, minutes)
    walked = shop.walk(limit=limit)
    assert len(walked) == 230
    assert len({s["id"] for s in walked}) == 230
    keys = [(s["started_at"], s["id"]) for s in walked]
    assert keys == sorted(keys, reverse=True)
    assert all(len(page) <= limit for page in [walked[i : i + limit] for i in range(0, 230, limit)])


def test_walk_is_stable_while_new_sessions_arrive(shop: ShopApi) -> None:
    one_page_sessions(shop, [float(i) for i in range(40)])
    before = {s["id"] for s in shop.walk(limit=200)}
    first = shop.list(limit=10).json()
    seen = [s["id"] for s in first["data"]]
    cursor = first["next_cursor"]
    arrivals = 0
    while cursor:
        # Newer sessions, and older ones inside the window, keep arriving between pages.
        one_page_sessions(shop, [1000.0 + arrivals, 0.5 + arrivals], prefix=f"late{arrivals}")
        arrivals += 1
        page = shop.list(cursor=cursor, limit=10).json()
        seen.extend(s["id"] for s in page["data"])
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


def test_cursor_alone_continues_the_same_window(shop: ShopApi, clock: FrozenClock) -> None:
    one_page_sessions(shop, [0, 10, 20, 30, 40])
    window = {"from": at(5), "to": at(35)}
    first = shop.list(limit=2, **window).json()
    assert [s["started_at"][:16] for s in first["data"]] == [at(30)[:16], at(20)[:16]]
    clock.advance(seconds=3600)  # "now" moves; the cursor keeps its window
    second = shop.list(cursor=first["next_cursor"]).json()
    assert [s["started_at"][:16] for s in second["data"]] == [at(10)[:16]]
    assert second["has_more"] is False
    same = shop.list(cursor=first["next_cursor"], **window)
    assert same.status_code == 200
    moved = shop.list(cursor=first["next_cursor"], **{"from": at(0)})
    assert moved.status_code == 400 and moved.json()["param"] == "from"
    moved_to = shop.list(cursor=first["next_cursor"], to=at(36))
    assert moved_to.status_code == 400 and moved_to.json()["param"] == "to"


def test_cursor_matches_the_seed_format(shop: ShopApi) -> None:
    one_page_sessions(shop, [0, 1])
    body = shop.list(limit=1).json()
    decoded = json.loads(base64.b64decode(body["next_cursor"], validate=True))
    assert list(decoded)[:2] == ["id", "direction"]
    assert decoded["id"] == body["data"][0]["id"] and decoded["direction"] == "before"


def test_from_is_inclusive_and_to_exclusive_to_the_second(shop: ShopApi) -> None:
    shop.ingest(page_view("2026-04-20T10:00:00Z", "/", session="a"))
    shop.ingest(page_view("2026-04-20T10:00:01Z", "/", session="b"))
    shop.ingest(page_view("2026-04-20T10:00:02Z", "/", session="c"))

    def starts(**window: str) -> list[str]:
        return [s["started_at"] for s in shop.sessions(**window)]

    window = {"from": "2026-04-20T10:00:01Z", "to": "2026-04-20T10:00:02Z"}
    assert starts(**window) == ["2026-04-20T10:00:01Z"]
    assert starts(**{"from": "2026-04-20T10:00:00Z"}) == [
        "2026-04-20T10:00:02Z",
        "2026-04-20T10:00:01Z",
        "2026-04-20T10:00:00Z",
    ]
    assert starts(to="2026-04-20T10:00:00Z") == []
    assert starts(**{"from": "2026-04-20T10:00:02.001Z"}) == []
    # Offsets, fractions, no offset (UTC) and bare dates are all accepted.
    assert starts(**{"from": "2026-04-20T12:00:01+02:00", "to": "2026-04-20T10:00:01.5"}) == [
        "2026-04-20T10:00:01Z"
    ]
    assert len(starts(**{"from": "2026-04-20", "to": "2026-04-21"})) == 3


def test_default_window_is_the_last_30_days(shop: ShopApi, clock: FrozenClock) -> None:
    now = clock.now_ms()
    inside = format_timestamp_ms(now - 29 * 86_400_000)
    outside = format_timestamp_ms(now - 31 * 86_400_000)
    shop.ingest(page_view(inside, "/", session="in"), page_view(outside, "/", session="out"))
    assert [s["started_at"][:10] for s in shop.sessions()] == [inside[:10]]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": -1}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-13-01T00:00:00Z"}, "from"),
        ({"to": "2026-04-01T25:00:00Z"}, "to"),
        ({"to": "1714000000"}, "to"),
        ({"from": "2026-04-02T00:00:00Z", "to": "2026-04-01T00:00:00Z"}, "from"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": base64.b64encode(b'{"id":"sess_x","direction":"before"}').decode()}, "cursor"),
        ({"limt": 10}, "limt"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(
    shop: ShopApi, params: dict[str, object], param: str
) -> None:
    response = shop.list(**params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "InvalidRequest" and body["param"] == param
    assert body["request_id"] == response.headers["Request-Id"]


def test_edited_cursor_is_rejected(shop: ShopApi) -> None:
    one_page_sessions(shop, [0, 1, 2])
    cursor = shop.list(limit=1).json()["next_cursor"]
    payload = json.loads(base64.b64decode(cursor))
    payload["to"] = "2030-01-01T00:00:00.000Z"
    edited = base64.b64encode(json.dumps(payload).encode()).decode()
    assert shop.list(cursor=edited).status_code == 400
    assert shop.list(cursor=cursor[:-8]).status_code == 400


def test_cursor_of_another_site_or_mode_is_rejected(
    shop: ShopApi, client: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    one_page_sessions(shop, [0, 1, 2])
    cursor = shop.list(limit=1).json()["next_cursor"]
    test_mode = ShopApi(client, site.secret_key_test)
    response = test_mode.list(cursor=cursor)
    assert response.status_code == 400 and response.json()["param"] == "cursor"


def test_sessions_of_the_other_mode_are_invisible(
    shop: ShopApi, client: TestClient, site: CreatedSite
) -> None:
    test_mode = ShopApi(client, site.secret_key_test)
    test_mode.ingest(page_view(at(0), "/", session="t"))
    shop.ingest(page_view(at(1), "/", session="l"))
    [live] = shop.sessions()
    [test] = test_mode.sessions()
    assert live["id"] != test["id"]
    assert shop.get(test["id"]).status_code == 404
    assert test_mode.get(live["id"]).status_code == 404


def test_api_window_follows_the_plan(
    shop: ShopApi, clock: FrozenClock, runtime: Runtime, site: CreatedSite
) -> None:
    from elnudge.sites.service import update_site

    now = clock.now_ms()
    old = format_timestamp_ms(now - 60 * 86_400_000)
    shop.ingest(page_view(old, "/", session="old"))
    query = {"from": format_timestamp_ms(now - 80 * 86_400_000)}
    assert shop.sessions(**query) == []  # starter: 30 days, whatever `from` says
    database = runtime.database
    with database.write() as connection:
        update_site(connection, site.site_id, plan="scale")
    [visible] = shop.sessions(**query)
    assert shop.get(visible["id"]).status_code == 200
    with database.write() as connection:
        update_site(connection, site.site_id, plan="growth")
    assert shop.get(visible["id"]).status_code == 404


def test_started_at_is_parsed_back_exactly() -> None:
    assert parse_timestamp("2026-04-20T10:00:00Z") == parse_timestamp("2026-04-20T12:00:00+02:00")


def test_a_walk_from_the_first_year_keeps_working(shop: ShopApi) -> None:
    one_page_sessions(shop, [0, 1, 2])
    walked = shop.walk(limit=1, **{"from": "0001-01-01T00:00:00Z"})
    assert len(walked) == 3
