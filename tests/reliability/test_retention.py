"""The API window is exact to the second for every plan (list, detail, old cursors), and purge
deletes in bounded batches, survives being stopped part-way, and leaves nothing too old."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from elnudge.clock import FrozenClock
from elnudge.db import create_database
from elnudge.db.migrate import upgrade
from elnudge.db.tables import events, nudges, sessions
from elnudge.provisioning import create_site
from elnudge.retention import purge as purge_module
from elnudge.runtime import Runtime
from elnudge.sites.plans import PLANS
from elnudge.timestamps import DAY_MS, format_timestamp_ms
from tests.reliability.tenants import new_site
from tests.storefront import ShopApi, nudge_shown, page_view


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_the_api_window_is_exact_to_the_second(
    client: TestClient, runtime: Runtime, clock: FrozenClock, plan: str
) -> None:
    site = new_site(runtime, plan)
    api = ShopApi(client, site.secret_key_live)
    start = clock.now_ms()
    edge = start - PLANS[plan].api_window_days * DAY_MS
    api.ingest(
        page_view(format_timestamp_ms(edge - 1000), "/", session="outside"),
        page_view(format_timestamp_ms(edge), "/", session="edge"),
        page_view(format_timestamp_ms(edge + 1000), "/", session="inside"),
        page_view(format_timestamp_ms(start - 1000), "/", session="recent"),
    )
    everything = {"from": "2000-01-01T00:00:00Z", "limit": 1}
    ids = [item["id"] for item in api.walk(**everything)]
    assert len(ids) == 3  # edge, inside, recent; the one a second older is invisible
    recent, inside, edge_id = ids
    assert api.get(edge_id).status_code == 200
    first = api.list(**everything).json()
    assert [item["id"] for item in first["data"]] == [recent]
    clock.advance(seconds=1)  # the edge session is now one second too old
    assert api.get(edge_id).status_code == 404
    assert api.get(inside).status_code == 200
    # An old cursor does not bring it back either.
    rest = api.list(cursor=first["next_cursor"], limit=5).json()
    assert [item["id"] for item in rest["data"]] == [inside]
    assert [item["id"] for item in api.walk(**everything)] == [recent, inside]


def seed_old_and_new(url: str, clock: FrozenClock, count: int) -> str:
    """A starter site (90 days of storage) with `count` sessions older than that and some newer."""
    database = create_database(url)
    upgrade(database)
    with database.write() as connection:
        site = create_site(connection, name="Old", plan="starter", now_ms=clock.now_ms())
    from elnudge.app import create_app
    from elnudge.config import Settings
    from elnudge.runtime import build_runtime

    ingest_clock = FrozenClock(clock.now_ms() - 80 * DAY_MS)  # events are checked against it
    runtime = build_runtime(Settings(database_url=url), database=database, clock=ingest_clock)
    with TestClient(create_app(runtime=runtime)) as client:
        api = ShopApi(client, site.secret_key_live)
        old = [
            nudge_shown(
                format_timestamp_ms(ingest_clock.now_ms() - (20 * DAY_MS) - i * 60_000),
                f"nudg_old{i}",
                "toast",
                session=f"old{i}",
            )
            for i in range(count)
        ]
        for start in range(0, count, 500):
            api.ingest(*old[start : start + 500])
        ingest_clock.set(clock.now_ms())
        api.ingest(
            *[
                page_view(
                    format_timestamp_ms(clock.now_ms() - i * 3_600_000), "/", session=f"new{i}"
                )
                for i in range(10)
            ]
        )
    database.dispose()
    return site.site_id


def counts(url: str, cutoff: int) -> tuple[int, int, int, int]:
    database = create_database(url)
    with database.read() as connection:
        old_sessions = connection.execute(
            select(func.count()).select_from(sessions).where(sessions.c.started_at < cutoff)
        ).scalar_one()
        old_events = connection.execute(
            select(func.count()).select_from(events).where(events.c.occurred_at < cutoff)
        ).scalar_one()
        old_nudges = connection.execute(
            select(func.count()).select_from(nudges).where(nudges.c.shown_at < cutoff)
        ).scalar_one()
        all_sessions = connection.execute(select(func.count()).select_from(sessions)).scalar_one()
    database.dispose()
    return old_sessions, old_events, old_nudges, all_sessions


def test_purge_is_bounded_resumable_and_complete(
    fresh_database_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    url = fresh_database_url
    site_id = seed_old_and_new(url, clock, count=120)
    cutoff = clock.now_ms() - PLANS["starter"].storage_days * DAY_MS
    assert counts(url, cutoff) == (120, 120, 120, 130)
    database = create_database(url)
    # Two batches, then "killed": each batch committed on its own and deleted at most 50.
    for _ in range(2):
        assert purge_module._purge_batch(database, site_id, cutoff, 50) == (50, 50)
    assert counts(url, cutoff) == (20, 20, 20, 30)
    report = purge_module.purge(database, clock, batch_size=50)  # the rerun finishes the job
    assert (report.sessions, report.events) == (20, 20)
    assert counts(url, cutoff) == (0, 0, 0, 10)
    assert purge_module.purge(database, clock, batch_size=50).sessions == 0  # idempotent
    database.dispose()
