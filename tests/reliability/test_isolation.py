"""Tenant isolation: 3 sites x 2 modes with random data, thousands of randomized cross requests,
and an audit of every SQL statement on a tenant table."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from elnudge.db.tables import events, nudges, sessions
from elnudge.runtime import Runtime
from tests.reliability.tenants import Tenant, make_tenants, without_request_id
from tests.storefront import envelope, nudge_reaction, page_view

CROSS_REQUESTS = 2000
NEVER_EXISTED = "sess_01KQ00000000000000000000ZZ"  # well-formed, never issued
TENANT_TABLES = ("sessions", "events", "nudges")
# Statements that may touch a tenant table without naming a site: none today. (The key lookup by
# hash reads api_keys, which is not a tenant table: a key is how the site is found.)
AUDIT_EXCEPTIONS: tuple[str, ...] = ()


@pytest.fixture
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """Every SQL statement the app runs while the test runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(runtime.database.engine, "before_cursor_execute", record)
    yield seen
    event.remove(runtime.database.engine, "before_cursor_execute", record)


def stored(runtime: Runtime, tenant: Tenant) -> dict[str, Any]:
    """Everything a tenant owns, straight from the database."""
    site_id, mode = tenant.site.site_id, tenant.mode
    with runtime.database.read() as connection:
        return {
            name: sorted(
                tuple(row)
                for row in connection.execute(
                    select(table).where(table.c.site_id == site_id, table.c.mode == mode)
                )
            )
            for name, table in (("sessions", sessions), ("events", events), ("nudges", nudges))
        }


def owned_sessions(runtime: Runtime, tenant: Tenant) -> set[str]:
    return {row[1] for row in stored(runtime, tenant)["sessions"]}


def cross_request(rng: random.Random, me: Tenant, other: Tenant, not_found: Any) -> None:
    """One randomized attempt by `me` at `other`'s data; fails on any leak."""
    kind = rng.randrange(3)
    foreign_id = rng.choice(sorted(other.session_ids)) if other.session_ids else NEVER_EXISTED
    if kind == 0:
        assert without_request_id(me.api.get(foreign_id)) == not_found
    elif kind == 1:
        low = f"2026-0{rng.randrange(3, 6)}-{rng.randrange(1, 29):02d}T00:00:00Z"
        response = me.api.list(**{"from": low, "limit": rng.randrange(1, 201)})
        assert response.status_code == 200
        assert {item["id"] for item in response.json()["data"]} <= me.session_ids
    elif kind == 2:
        page = other.api.list(limit=1).json()
        if page["next_cursor"] is not None:
            response = me.api.list(cursor=page["next_cursor"])
            assert response.status_code == 400 and response.json()["param"] == "cursor"


def test_no_request_reaches_another_tenant(
    client: TestClient, runtime: Runtime, statements: list[str]
) -> None:
    rng = random.Random(3)
    tenants = make_tenants(client, runtime, rng, sites=3, events=60)
    for tenant in tenants:
        assert tenant.session_ids
    not_found = without_request_id(tenants[0].api.get(NEVER_EXISTED))
    assert not_found[0] == 404
    for tenant in tenants:
        assert without_request_id(tenant.api.get(NEVER_EXISTED)) == not_found
        assert without_request_id(tenant.api.get("sess_01HY8QVZK3MN2PXRT5GW4JCBD")) == not_found
    for _ in range(CROSS_REQUESTS):
        me, other = rng.sample(tenants, 2)
        cross_request(rng, me, other, not_found)
    _ingestion_naming_foreign_things(runtime, tenants, rng)
    _audit(statements)


def _ingestion_naming_foreign_things(
    runtime: Runtime, tenants: list[Tenant], rng: random.Random
) -> None:
    """Events sent with my key that reuse another tenant's client keys, event ids and nudge ids
    land in my data only; the other tenant's rows do not change by a byte."""
    before = {tenant.name: stored(runtime, tenant) for tenant in tenants}
    now = "2026-05-01T11:00:00Z"
    for me in tenants:
        others = [tenant for tenant in tenants if tenant is not me]
        batch = []
        for other in others:
            key = rng.choice(sorted(other.client_keys))
            event_id = rng.choice(sorted(other.event_ids))
            batch.append(page_view(now, "/stolen", session=key, event_id=event_id))
            batch.append(envelope("EXIT_INTENT", now, "/", session=key))
            for nudge in sorted(other.nudge_ids)[:2]:
                batch.append(nudge_reaction("NUDGE_CLICKED", now, nudge, session=key))
        # Another tenant's event ids, my own other mode's included, are not duplicates of mine
        # (ids are unique per site and mode): all of it is stored, as mine.
        assert me.api.ingest(*batch) == {"accepted": len(batch), "duplicates": 0}
        for other in others:
            assert stored(runtime, other) == before[other.name]
            assert not owned_sessions(runtime, me) & owned_sessions(runtime, other)
        before[me.name] = stored(runtime, me)


def _audit(statements: list[str]) -> None:
    """Every statement on sessions, events or nudges filters on site_id."""
    assert statements
    tenant_table = re.compile(r"\b(FROM|JOIN|UPDATE|INTO)\s+(sessions|events|nudges)\b", re.I)
    checked = 0
    for statement in statements:
        if not tenant_table.search(statement):
            continue
        checked += 1
        if statement in AUDIT_EXCEPTIONS:
            continue
        if statement.lstrip().upper().startswith("INSERT"):
            assert "site_id" in statement, statement
        else:
            assert re.search(r"\bsite_id\s*(=|IN)", statement, re.I), statement
    assert checked > 100
