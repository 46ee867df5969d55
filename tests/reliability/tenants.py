"""Sites with random data for the reliability tests, and response comparison helpers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import httpx2
from fastapi.testclient import TestClient

from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime
from elnudge.timestamps import format_timestamp
from tests.storefront import ShopApi, envelope, nudge_shown, page_view, purchase


@dataclass
class Tenant:
    """One site in one mode: its key, and the sessions and ids it owns."""

    site: CreatedSite
    mode: str
    api: ShopApi
    session_ids: set[str] = field(default_factory=set)
    client_keys: set[str] = field(default_factory=set)
    event_ids: set[str] = field(default_factory=set)
    nudge_ids: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return f"{self.site.site_id}:{self.mode}"


def new_site(runtime: Runtime, plan: str = "starter") -> CreatedSite:
    with runtime.database.write() as connection:
        return create_site(connection, name="Shop", plan=plan, now_ms=runtime.clock.now_ms())


def random_events(rng: random.Random, tenant: Tenant, now_ms: int, count: int) -> list[Any]:
    """`count` events in a few sessions over the last 40 days (some outside the API window)."""
    events: list[dict[str, Any]] = []
    for index in range(count):
        key = f"ses_{tenant.name}_{rng.randrange(count // 3 + 1)}"
        at = now_ms - rng.randrange(40 * 86_400) * 1000
        ts = format_timestamp(at)
        event_id = f"e_{tenant.name}_{index}"
        choice = rng.random()
        if choice < 0.1:
            nudge = f"nudg_{rng.getrandbits(48)}N{tenant.mode}"
            event = nudge_shown(ts, nudge, "toast", session=key, event_id=event_id)
            tenant.nudge_ids.add(nudge)
        elif choice < 0.2:
            event = purchase(ts, session=key, event_id=event_id)
        elif choice < 0.3:
            event = envelope("EXIT_INTENT", ts, "/cart", session=key, event_id=event_id)
        else:
            event = page_view(ts, f"/p/{rng.randrange(20)}", session=key, event_id=event_id)
        tenant.client_keys.add(key)
        tenant.event_ids.add(event_id)
        events.append(event)
    return events


def make_tenants(
    client: TestClient, runtime: Runtime, rng: random.Random, sites: int, events: int
) -> list[Tenant]:
    tenants = []
    for _ in range(sites):
        site = new_site(runtime)
        for mode, key in (("live", site.secret_key_live), ("test", site.secret_key_test)):
            tenant = Tenant(site=site, mode=mode, api=ShopApi(client, key))
            tenant.api.ingest(*random_events(rng, tenant, runtime.clock.now_ms(), events))
            tenant.session_ids = {item["id"] for item in tenant.api.walk(limit=200)}
            tenants.append(tenant)
    return tenants


def without_request_id(response: httpx2.Response) -> tuple[int, bytes, str]:
    """Status, body and content type, with this response's request id blanked out."""
    request_id = response.headers["request-id"]
    return (
        response.status_code,
        response.content.replace(request_id.encode(), b"req_"),
        response.headers["content-type"],
    )
