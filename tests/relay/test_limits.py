"""The relay's limits: events per minute per site key, and no 5xx whatever the body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import Database
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import build_runtime
from tests.storefront import Relay, page_view

NOW = "2026-05-01T12:00:00Z"


@pytest.fixture
def small_limit_relay(
    database_url: str, database: Database, clock: FrozenClock
) -> Iterator[tuple[Relay, CreatedSite]]:
    """A relay allowing 10 events a minute, so the limit is reached quickly."""
    settings = Settings(
        database_url=database_url, migrate_on_start=False, relay_rate_limit_per_minute=10
    )
    runtime = build_runtime(settings, database=database, clock=clock)
    with runtime.database.write() as connection:
        site = create_site(connection, name="Busy", plan="starter", now_ms=clock.now_ms())
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        yield Relay(client, site.site_key_live), site


def test_default_limit_is_ten_thousand_events_a_minute() -> None:
    assert Settings().relay_rate_limit_per_minute == 10_000


def test_events_over_the_limit_get_a_429(
    small_limit_relay: tuple[Relay, CreatedSite],
) -> None:
    relay, site = small_limit_relay
    batch = [page_view(NOW, f"/p{number}") for number in range(6)]
    assert relay.post(*batch).status_code == 200
    refused = relay.post(*batch)  # 12 events > 10: counted as events, not requests
    assert refused.status_code == 429
    assert refused.json()["error"] == "RateLimitExceeded"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["access-control-allow-origin"] == "*"
    assert relay.post(*batch[:4]).status_code == 200  # the refused request counted nothing
    # The test key of the same site has its own allowance.
    assert Relay(relay.client, site.site_key_test).post(*batch).status_code == 200


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children)
    ),
    max_leaves=12,
)
envelope_field = st.sampled_from(
    ["event_id", "session_id", "visitor_id", "event", "ts", "url", "data", "junk"]
)


@st.composite
def mangled_envelopes(draw: st.DrawFn) -> Any:
    event = page_view(NOW, "/")
    event[draw(envelope_field)] = draw(json_values)
    return draw(st.sampled_from([event, draw(json_values)]))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.lists(mangled_envelopes(), max_size=4),
    sent_at=json_values,
    extra=json_values,
)
def test_no_5xx_on_any_body(relay: Relay, events: list[Any], sent_at: Any, extra: Any) -> None:
    body = {"site_key": relay.site_key, "events": events, "sent_at": sent_at}
    # The stdlib encoder, so that huge integers, NaN and Infinity reach the server too.
    for content in (json.dumps(body).encode(), json.dumps(extra).encode(), b"\xff\xfe{", b""):
        response = relay.raw(content)
        assert response.status_code < 500, response.text
