"""`GET /v1/reports/nudges` through the API: the contract's shape, each definition on
hand-made sessions, the period's 400s, the plan's window, bots and isolation (both backends)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from elnudge.clock import FrozenClock
from elnudge.provisioning import CreatedSite, create_site
from elnudge.reports.schemas import NudgeReportResponse
from elnudge.runtime import Runtime
from elnudge.timestamps import DAY_MS, HOUR_MS, format_timestamp, format_timestamp_ms
from tests.metrics.shoppers import offer, visit
from tests.storefront import Relay, ShopApi, nudge_shown, page_view

KEYS = [
    "type",
    "shown",
    "clicked",
    "dismissed",
    "chat_opened",
    "click_rate",
    "dismiss_rate",
    "chat_open_rate",
    "sessions",
    "conversions",
    "conversion_rate",
    "influenced_conversions",
]


def report(shop: ShopApi, **params: Any) -> Any:
    return shop.client.get("/v1/reports/nudges", headers=shop.headers, params=params)


def data(shop: ShopApi, **params: Any) -> dict[str, Any]:
    response = report(shop, **params)
    assert response.status_code == 200, response.text
    assert response.headers["request-id"].startswith("req_")
    body = response.json()
    NudgeReportResponse.model_validate(body)
    result: dict[str, Any] = body["data"]
    return result


def row(result: dict[str, Any], kind: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [item for item in result["by_type"] if item["type"] == kind]
    assert len(found) == 1
    return found[0]


def test_an_empty_site_has_all_four_types_as_zeros_and_undefined_lifts(
    shop: ShopApi, clock: FrozenClock
) -> None:
    result = data(shop)
    assert list(result) == ["from", "to", "by_type", "baseline", "experiment"]
    assert result["from"] == format_timestamp(clock.now_ms() - 30 * DAY_MS)
    assert result["to"] == format_timestamp(clock.now_ms())
    assert [item["type"] for item in result["by_type"]] == [
        "chat_bubble",
        "toast",
        "exit_modal",
        "sticky_bar",
    ]
    for item in result["by_type"]:
        assert list(item) == KEYS
        assert all(item[key] == 0 for key in KEYS[1:])
    assert result["baseline"] == {"sessions": 0, "conversions": 0, "conversion_rate": 0.0}
    experiment = result["experiment"]
    assert list(experiment) == [
        "treatment",
        "holdout",
        "relative_lift",
        "ci95",
        "ci95_always_valid",
        "srm",
        "mde",
        "days_to_detect_10pct",
    ]
    assert experiment["relative_lift"] is None and experiment["ci95"] is None
    assert experiment["srm"] == {
        "expected_holdout_share": 0.1,
        "observed_holdout_share": None,
        "p_value": None,
        "mismatch": False,
    }


def test_funnel_rates_and_conversions_per_type(shop: ShopApi, clock: FrozenClock) -> None:
    start = clock.now_ms() - 6 * HOUR_MS
    visit(shop, "a", start, nudges=(("nudg_a", "toast", ("clicked", "dismissed")),), buys=True)
    visit(shop, "b", start + HOUR_MS, nudges=(("nudg_b", "toast", ("dismissed",)),))
    visit(shop, "c", start + 2 * HOUR_MS, nudges=(("nudg_c", "toast", ()),))
    visit(
        shop,
        "d",
        start + 3 * HOUR_MS,
        nudges=(("nudg_d", "chat_bubble", ("chat_opened",)),),
        buys=True,
    )
    visit(shop, "e", start + 4 * HOUR_MS, buys=True)
    result = data(shop)
    assert row(result, "toast") == {
        "type": "toast",
        "shown": 3,
        "clicked": 1,
        "dismissed": 2,
        "chat_opened": 0,
        "click_rate": 0.3333,
        "dismiss_rate": 0.6667,
        "chat_open_rate": 0.0,
        "sessions": 3,
        "conversions": 1,
        "conversion_rate": 0.3333,
        "influenced_conversions": 1,
    }
    bubble = row(result, "chat_bubble")
    assert (bubble["chat_opened"], bubble["chat_open_rate"], bubble["conversion_rate"]) == (
        1,
        1.0,
        1.0,
    )
    assert row(result, "exit_modal")["shown"] == 0
    # c (a nudge only shown) and e (none): a, b and d reacted to a nudge.
    assert result["baseline"] == {"sessions": 2, "conversions": 1, "conversion_rate": 0.5}


def test_the_experiment_lift_and_null_without_holdout_conversions(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 10 * HOUR_MS
    for number in range(10):
        session_id = visit(shop, f"t{number}", start + number * 60_000, buys=number < 4)
        offer(runtime, site.site_id, session_id, f"nudg_t{number}", held_out=False)
    held = []
    for number in range(4):
        session_id = visit(shop, f"h{number}", start + HOUR_MS + number * 60_000)
        offer(runtime, site.site_id, session_id, f"nudg_h{number}", held_out=True)
        held.append(session_id)
    experiment = data(shop)["experiment"]
    assert experiment["treatment"] == {"sessions": 10, "conversions": 4, "conversion_rate": 0.4}
    assert experiment["holdout"] == {"sessions": 4, "conversions": 0, "conversion_rate": 0.0}
    assert experiment["relative_lift"] is None
    assert experiment["ci95"] is None and experiment["ci95_always_valid"] is None
    assert experiment["srm"]["observed_holdout_share"] == round(4 / 14, 4)
    # One holdout conversion: now the lift is defined, 0.4 / 0.2 - 1 = 1.
    visit(shop, "h-buyer", start + 2 * HOUR_MS, buys=True)
    buyer = shop.walk(**{"from": format_timestamp_ms(start + 2 * HOUR_MS)})[-1]["id"]
    offer(runtime, site.site_id, buyer, "nudg_hb", held_out=True)
    experiment = data(shop)["experiment"]
    assert experiment["holdout"] == {"sessions": 5, "conversions": 1, "conversion_rate": 0.2}
    assert experiment["relative_lift"] == 1.0
    low, high = experiment["ci95"]
    assert low < 1.0 < high
    wide_low, wide_high = experiment["ci95_always_valid"]
    assert wide_low < low and wide_high > high


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"from": "2026-04-20T00:00:00Z", "to": "2026-04-10T00:00:00Z"}, "from"),
        ({"from": "last week"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": ""}, "from"),
        ({"limit": "10"}, "limit"),
        ({"cursor": "abc"}, "cursor"),
        ({"type": "toast"}, "type"),
    ],
)
def test_bad_periods_and_unknown_parameters_are_400s_naming_them(
    shop: ShopApi, params: dict[str, str], param: str
) -> None:
    response = report(shop, **params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "InvalidRequest"
    assert body["param"] == param
    assert body["request_id"] == response.headers["request-id"]


def test_a_repeated_parameter_is_a_400(shop: ShopApi) -> None:
    response = shop.client.get(
        "/v1/reports/nudges?from=2026-04-01T00:00:00Z&from=2026-04-02T00:00:00Z",
        headers=shop.headers,
    )
    assert response.status_code == 400
    assert response.json()["param"] == "from"


def test_a_public_key_or_none_is_401(client: TestClient, site: CreatedSite) -> None:
    for headers in ({}, {"Authorization": f"Bearer {site.site_key_live}"}):
        response = client.get("/v1/reports/nudges", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"


def test_from_and_to_bound_session_starts(shop: ShopApi, clock: FrozenClock) -> None:
    start = clock.now_ms() - 5 * HOUR_MS
    visit(shop, "before", start - 1000, nudges=(("nudg_1", "toast", ()),))
    visit(shop, "inside", start, nudges=(("nudg_2", "toast", ()),))
    visit(shop, "at-to", start + HOUR_MS, nudges=(("nudg_3", "toast", ()),))
    window = {"from": format_timestamp(start), "to": format_timestamp(start + HOUR_MS)}
    result = data(shop, **window)
    assert (result["from"], result["to"]) == (window["from"], window["to"])
    assert row(result, "toast")["shown"] == 1
    assert result["baseline"]["sessions"] == 1
    assert row(data(shop, to=window["to"]), "toast")["shown"] == 2  # default from: 30 days ago


def test_sessions_outside_the_plans_window_are_not_counted(
    shop: ShopApi, clock: FrozenClock
) -> None:
    # The starter plan shows 30 days: a session 31 days old is stored but invisible.
    visit_at = clock.now_ms() - 31 * DAY_MS
    shop.ingest(
        page_view(format_timestamp_ms(visit_at), "/", session="old"),
        nudge_shown(format_timestamp_ms(visit_at + 1000), "nudg_old", "toast", session="old"),
    )
    visit(shop, "new", clock.now_ms() - HOUR_MS, nudges=(("nudg_new", "toast", ()),))
    result = data(shop, **{"from": format_timestamp(clock.now_ms() - 60 * DAY_MS)})
    assert row(result, "toast")["shown"] == 1
    assert result["baseline"]["sessions"] == 1


def test_bots_are_not_counted(relay: Relay, shop: ShopApi, clock: FrozenClock) -> None:
    at = format_timestamp_ms(clock.now_ms() - HOUR_MS)
    later = format_timestamp_ms(clock.now_ms() - HOUR_MS + 1000)
    relay.send(
        page_view(at, "/", session="ses_bot"),
        nudge_shown(later, "nudg_bot", "toast", session="ses_bot"),
        headers={"user-agent": "Googlebot/2.1"},
    )
    relay.send(
        page_view(at, "/", session="ses_human"),
        nudge_shown(later, "nudg_human", "exit_modal", session="ses_human"),
    )
    result = data(shop)
    assert row(result, "toast")["shown"] == 0
    assert row(result, "exit_modal")["shown"] == 1
    assert result["baseline"]["sessions"] == 1


def test_another_sites_and_modes_data_is_never_counted(
    client: TestClient, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    with runtime.database.write() as connection:
        other = create_site(connection, name="Other", plan="starter", now_ms=clock.now_ms())
    at = clock.now_ms() - HOUR_MS
    live = ShopApi(client, site.secret_key_live)
    test = ShopApi(client, site.secret_key_test)
    elsewhere = ShopApi(client, other.secret_key_live)
    visit(live, "mine", at, nudges=(("nudg_l", "toast", ("clicked",)),), buys=True)
    visit(test, "mine", at, nudges=(("nudg_t", "exit_modal", ()),))
    visit(test, "two", at + 60_000)
    session_id = visit(elsewhere, "theirs", at, nudges=(("nudg_o", "sticky_bar", ()),))
    offer(runtime, other.site_id, session_id, "nudg_ox", held_out=True)
    mine = data(live)
    assert [item["shown"] for item in mine["by_type"]] == [0, 1, 0, 0]
    assert mine["baseline"]["sessions"] == 0
    assert mine["experiment"]["holdout"]["sessions"] == 0
    tested = data(test)
    assert [item["shown"] for item in tested["by_type"]] == [0, 0, 1, 0]
    assert tested["baseline"]["sessions"] == 2
    theirs = data(elsewhere)
    assert [item["shown"] for item in theirs["by_type"]] == [0, 0, 0, 1]
    assert theirs["experiment"]["holdout"]["sessions"] == 1


def test_the_sites_holdout_share_is_the_expected_share(
    shop: ShopApi, site: CreatedSite, runtime: Runtime
) -> None:
    from elnudge.sites.engine import update_engine_settings

    with runtime.database.write() as connection:
        update_engine_settings(connection, site.site_id, {"holdout_percent": 25})
    assert data(shop)["experiment"]["srm"]["expected_holdout_share"] == 0.25
