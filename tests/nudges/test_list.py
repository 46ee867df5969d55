"""`GET /v1/nudges`: exactly the shown nudges, with their outcomes, paged and scoped like the
sessions list (window, signed cursors that keep their filters, the same 400s and isolation)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from elnudge.clock import FrozenClock
from elnudge.nudges.schemas import NudgeList
from elnudge.provisioning import CreatedSite
from elnudge.timestamps import DAY_MS, format_timestamp_ms
from tests.storefront import ShopApi, nudge_reaction, nudge_shown, page_view, purchase

KINDS = ("toast", "chat_bubble", "exit_modal", "sticky_bar")


def nudges(shop: ShopApi, **params: Any) -> Any:
    return shop.client.get("/v1/nudges", headers=shop.headers, params=params)


def walk(shop: ShopApi, **params: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    response = nudges(shop, **params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        NudgeList.model_validate(body)
        seen.extend(body["data"])
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return seen
        response = nudges(shop, cursor=body["next_cursor"], limit=params.get("limit", 50))


def seed(shop: ShopApi, clock: FrozenClock, count: int) -> list[str]:
    """`count` sessions, each showing one nudge and reacting in turn; the nudge ids."""
    shown = []
    for number in range(count):
        at = clock.now_ms() - (count - number) * 60_000
        nudge_id = f"nudg_{number:04d}"
        kind = KINDS[number % 4]
        session = f"k{number}"
        events = [
            page_view(format_timestamp_ms(at), "/", session=session),
            nudge_shown(format_timestamp_ms(at + 1000), nudge_id, kind, session=session),
        ]
        if number % 3 == 1:
            events.append(
                nudge_reaction(
                    "NUDGE_CLICKED", format_timestamp_ms(at + 2000), nudge_id, session=session
                )
            )
            events.append(purchase(format_timestamp_ms(at + 9000), session=session))
        shop.ingest(*events)
        shown.append(nudge_id)
    return shown


def test_lists_exactly_the_shown_nudges_newest_first_with_outcomes(
    shop: ShopApi, clock: FrozenClock
) -> None:
    ids = seed(shop, clock, 7)
    listed = walk(shop, limit=3)
    assert [n["id"] for n in listed] == ids[::-1]
    assert list(listed[0]) == [
        "id",
        "session_id",
        "type",
        "shown_at",
        "outcome",
        "influenced_conversion",
    ]
    by_id = {n["id"]: n for n in listed}
    assert by_id["nudg_0001"]["outcome"] == "clicked"
    assert by_id["nudg_0001"]["influenced_conversion"] is True
    assert by_id["nudg_0002"]["outcome"] == "shown"
    sessions = {s["id"] for s in shop.walk()}
    assert {n["session_id"] for n in listed} == sessions


def test_filters_and_their_cursors(shop: ShopApi, clock: FrozenClock) -> None:
    seed(shop, clock, 9)
    toasts = walk(shop, type="toast", limit=1)
    assert [n["id"] for n in toasts] == ["nudg_0008", "nudg_0004", "nudg_0000"]
    one = walk(shop, session_id=toasts[0]["session_id"])
    assert [n["id"] for n in one] == ["nudg_0008"]
    first = nudges(shop, type="toast", limit=1).json()
    other = nudges(shop, cursor=first["next_cursor"], type="exit_modal")
    assert other.status_code == 400 and other.json()["param"] == "type"
    same = nudges(shop, cursor=first["next_cursor"], type="toast")
    assert same.status_code == 200 and same.json()["data"][0]["id"] == "nudg_0004"


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": "1_0"}, "limit"),
        ({"type": "popup"}, "type"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-05-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"}, "from"),
        ({"cursor": "eyJpZCI6Im51ZGdfMSJ9"}, "cursor"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_are_400s_naming_them(
    shop: ShopApi, params: dict[str, Any], param: str
) -> None:
    response = nudges(shop, **params)
    assert response.status_code == 400, response.text
    assert response.json()["param"] == param


def test_a_sessions_cursor_is_not_a_nudges_cursor(shop: ShopApi, clock: FrozenClock) -> None:
    seed(shop, clock, 3)
    cursor = shop.list(limit=1).json()["next_cursor"]
    response = nudges(shop, cursor=cursor)
    assert response.status_code == 400 and response.json()["param"] == "cursor"


def test_other_sites_modes_and_old_sessions_are_invisible(
    client: TestClient, shop: ShopApi, site: CreatedSite, clock: FrozenClock
) -> None:
    seed(shop, clock, 2)
    assert walk(ShopApi(client, site.secret_key_test)) == []
    # A session that started before the starter plan's 30-day window: its nudge is hidden.
    old = clock.now_ms() - 31 * DAY_MS
    shop.ingest(
        page_view(format_timestamp_ms(old), "/", session="old"),
        nudge_shown(format_timestamp_ms(old + 1000), "nudg_old", "toast", session="old"),
    )
    assert "nudg_old" not in {n["id"] for n in walk(shop, **{"from": "2020-01-01"})}
