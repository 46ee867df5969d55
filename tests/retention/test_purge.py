"""`purge` deletes what is older than storage retention, and nothing else."""

from __future__ import annotations

from sqlalchemy import func, select

from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import create_database
from elnudge.db.migrate import upgrade
from elnudge.db.tables import events, sessions
from elnudge.events.batch import validate_batch
from elnudge.events.service import ingest
from elnudge.keys.service import authenticate
from elnudge.provisioning import create_site
from elnudge.retention.purge import purge
from elnudge.timestamps import format_timestamp_ms, parse_timestamp
from elnudge.vocabulary import KeyKind
from tests.storefront import page_view

DAY = 86_400_000


def test_purge_keeps_only_the_retention_window(fresh_database_url: str) -> None:
    database = create_database(fresh_database_url)
    upgrade(database)
    clock = FrozenClock(parse_timestamp("2026-05-01T12:00:00Z"))
    now = clock.now_ms()
    with database.write() as connection:
        site = create_site(connection, name="Old", plan="starter", now_ms=now)
        principal = authenticate(connection, site.secret_key_live, kind=KeyKind.SECRET, now_ms=now)
        raw = [
            page_view(format_timestamp_ms(now - days * DAY), "/", session=f"s{days}")
            for days in range(0, 90, 3)
        ]
        ingest(
            connection,
            site_id=site.site_id,
            mode="live",
            batch=validate_batch({"events": raw}, principal, Settings(), now),
            now_ms=now,
        )
    clock.advance(seconds=40 * 86_400)  # now the oldest 40 days' worth are past 90 days
    report = purge(database, clock, batch_size=4)
    cutoff = clock.now_ms() - 90 * DAY
    with database.read() as connection:
        oldest = connection.execute(select(func.min(sessions.c.started_at))).scalar_one()
        remaining_events = connection.execute(select(func.count()).select_from(events)).scalar_one()
    assert oldest >= cutoff
    assert report.sessions == 13 and report.events == 13  # ages 91, 94, …, 127 days
    assert remaining_events == 30 - 13
    assert purge(database, clock).sessions == 0  # rerunning finds nothing more
    database.dispose()
