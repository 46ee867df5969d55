"""Bounds on every input an outside review probed: nesting, control characters, times before
1970, lenient integers, slash redirects, retention settings, non-browser relay clients and one
client spending a store's relay budget. Each is a clear 400 (or a dropped relay event), never a
500, and never a change to stored data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import Database
from elnudge.errors import InvalidRequest
from elnudge.events.payloads import InvalidEvent
from elnudge.events.validation import MAX_DATA_DEPTH, TimeBounds, validate_envelope
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime, build_runtime
from elnudge.sites.service import update_site
from tests.storefront import Relay, ShopApi, envelope, page_view

T = "2026-05-01T11:50:00Z"


def nested(levels: int) -> dict[str, Any]:
    """A `data` object whose nesting is `levels` deep, counting `data` itself."""
    value: dict[str, Any] = {"name": "deep"}
    inner = value
    for _ in range(levels - 1):
        inner["x"] = {}
        inner = inner["x"]
    return value


def custom(data: dict[str, Any]) -> dict[str, Any]:
    return envelope("CUSTOM", T, "/", data)


def test_data_nests_at_most_32_levels(shop: ShopApi) -> None:
    assert shop.send(custom(nested(MAX_DATA_DEPTH))).status_code == 200
    for levels in (MAX_DATA_DEPTH + 1, 254, 300):
        response = shop.send(page_view(T, "/"), custom(nested(levels)))
        assert response.status_code == 400, response.text
        assert response.json()["param"].startswith("events[1].data.x")
    assert len(shop.sessions()) == 1  # the accepted event only; the refused batches stored nothing


def test_the_relay_drops_only_the_deep_event(relay: Relay, shop: ShopApi) -> None:
    events = [page_view(T, "/a"), custom(nested(254)), page_view(T, "/b")]
    # The stdlib's encoder: orjson itself stops at 254 levels, which is how this was a 500.
    response = relay.raw(json.dumps({"site_key": relay.site_key, "events": events}).encode())
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    result = response.json()
    assert (result["accepted"], result["invalid"]) == (2, 1)
    assert result["errors"][0]["index"] == 1


@pytest.mark.parametrize(
    ("data", "param"),
    [
        ({"name": "n", "list": list(range(101))}, "events[0].data.list"),
        ({"name": "n", "text": "x" * 2049}, "events[0].data.text"),
        ({"name": "n", "obj": {f"k{i}": i for i in range(51)}}, "events[0].data.obj"),
    ],
)
def test_arrays_strings_and_objects_in_data_are_bounded(
    shop: ShopApi, data: dict[str, Any], param: str
) -> None:
    response = shop.send(custom(data))
    assert response.status_code == 400 and response.json()["param"] == param


@pytest.mark.parametrize("url", ["/a\r\nSet-Cookie: x=1", "/a\nb", "/a\tb", "/a\x7f", "/a\x85"])
def test_urls_with_control_characters_are_refused(shop: ShopApi, relay: Relay, url: str) -> None:
    response = shop.send(page_view(T, url))
    assert response.status_code == 400 and response.json()["param"] == "events[0].url"
    result = relay.send(page_view(T, url), page_view(T, "/fine"))
    assert (result["accepted"], result["invalid"]) == (1, 1)
    assert result["errors"][0]["param"] == "events[0].url"


def test_a_referrer_with_control_characters_is_refused(shop: ShopApi) -> None:
    event = envelope("PAGE_VIEW", T, "/", {"referrer": "https://a.example/\r\nx"})
    response = shop.send(event)
    assert response.status_code == 400 and response.json()["param"] == "events[0].data.referrer"


def test_event_times_before_1970_are_a_400_even_with_the_longest_retention(
    client: TestClient, runtime: Runtime
) -> None:
    with runtime.database.write() as connection:
        site = create_site(connection, name="Old", plan="enterprise", now_ms=runtime.clock.now_ms())
        update_site(connection, site.site_id, storage_days=3650, api_window_days=3650)
    shop = ShopApi(client, site.secret_key_live)
    for ts in ("1953-06-01T00:00:00Z", "1969-12-31T23:59:59.999Z"):
        response = shop.send(page_view(ts, "/"))
        assert response.status_code == 400, response.text
        assert response.json()["param"] == "events[0].ts"


def test_the_1970_bound_holds_whatever_the_retention() -> None:
    # Even a window reaching back centuries (no setting allows one now) refuses such times:
    # an id's ULID cannot encode them, which made this a 500.
    centuries = TimeBounds(oldest_ms=-(10**13), newest_ms=10**13)
    with pytest.raises(InvalidEvent) as refused:
        validate_envelope(page_view("1953-06-01T00:00:00Z", "/"), centuries)
    assert refused.value.field == "ts"


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"storage_days": 30000}, "storage_days"),
        ({"api_window_days": 0}, "api_window_days"),
        ({"api_window_days": 3651}, "api_window_days"),
        ({"storage_days": 20}, "storage_days"),  # shorter than the 90-day API window
        ({"api_window_days": 400}, "storage_days"),  # longer than the 365 days stored
    ],
)
def test_retention_overrides_are_bounded_and_all_or_nothing(
    runtime: Runtime, changes: dict[str, Any], param: str
) -> None:
    with runtime.database.write() as connection:
        site = create_site(connection, name="Big", plan="starter", now_ms=runtime.clock.now_ms())
    with pytest.raises(InvalidRequest) as refused, runtime.database.write() as connection:
        update_site(connection, site.site_id, plan="enterprise", **changes)
    assert refused.value.param == param
    with runtime.database.read() as connection:
        unchanged = update_site(connection, site.site_id)
    assert (unchanged["plan"], unchanged["storage_days"]) == ("starter", None)


@pytest.mark.parametrize("limit", ["1_0", "+7", "7.0", " 7 ", "007", "7 ", "0x7", "٣", "1e1"])
def test_integers_in_the_query_are_plain_digits(shop: ShopApi, limit: str) -> None:
    response = shop.list(limit=limit)
    assert response.status_code == 400, response.text
    assert response.json()["param"] == "limit"


def test_plain_integers_still_work(shop: ShopApi) -> None:
    assert shop.list(limit="7").status_code == 200


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/sessions/"), ("POST", "/v1/relay/")])
def test_no_redirect_is_built_from_the_host_header(
    client: TestClient, site: CreatedSite, method: str, path: str
) -> None:
    response = client.request(
        method,
        path,
        headers={"Authorization": f"Bearer {site.secret_key_live}", "Host": "evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 404
    assert "location" not in response.headers
    assert response.json()["error"] == "NotFound"


@pytest.mark.parametrize(
    "user_agent", ["curl/8.5.0", "python-requests/2.32.3", "Go-http-client/1.1", ""]
)
def test_non_browser_clients_on_the_relay_are_flagged_and_hidden(
    relay: Relay, shop: ShopApi, user_agent: str
) -> None:
    assert relay.send(page_view(T, "/"), headers={"user-agent": user_agent})["accepted"] == 1
    assert shop.sessions() == []


@pytest.fixture
def two_clients(
    database_url: str, database: Database, clock: FrozenClock
) -> Iterator[tuple[Relay, Relay, CreatedSite]]:
    """Two browsers at different addresses, a client limit of 5 and a key limit of 8 events."""
    settings = Settings(
        database_url=database_url,
        migrate_on_start=False,
        relay_rate_limit_per_minute=8,
        relay_client_rate_limit_per_minute=5,
    )
    runtime = build_runtime(settings, database=database, clock=clock)
    with runtime.database.write() as connection:
        site = create_site(connection, name="Shared", plan="starter", now_ms=clock.now_ms())
    app = create_app(runtime=runtime)
    with (
        TestClient(app, client=("203.0.113.7", 5000)) as abuser,
        TestClient(app, client=("198.51.100.2", 5000)) as shopper,
    ):
        yield Relay(abuser, site.site_key_live), Relay(shopper, site.site_key_live), site


def test_one_client_cannot_spend_the_stores_relay_budget(
    two_clients: tuple[Relay, Relay, CreatedSite],
) -> None:
    abuser, shopper, _ = two_clients
    batch = [page_view(T, f"/p{number}") for number in range(5)]
    assert abuser.post(*batch).status_code == 200
    # 3 more would fit the key's 8, but not this client's 5: refused, and not counted.
    refused = abuser.post(*batch[:3])
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert shopper.post(*batch[:3]).status_code == 200  # the store's budget is still there
    assert shopper.post(batch[0]).status_code == 429  # 5 + 3 = the key's 8 events
