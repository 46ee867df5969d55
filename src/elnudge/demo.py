"""`elnudge demo`: a demo site filled with simulated traffic through the real ingestion path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from elnudge.clock import Clock
from elnudge.config import Settings
from elnudge.db import Database
from elnudge.events.batch import validate_batch
from elnudge.events.service import ingest_all_or_nothing
from elnudge.keys.service import authenticate
from elnudge.knowledge.demo import add_demo_catalogue, add_demo_knowledge
from elnudge.provisioning import CreatedSite, create_site
from elnudge.simulate import simulate_sessions
from elnudge.vocabulary import KeyKind


def _batches(
    days: int, per_day: int, end: datetime, seed: int, size: int
) -> Iterator[list[dict[str, Any]]]:
    """Simulated envelopes in batches of at most `size`, sessions kept whole where they fit
    (a longer one is split: its later events join it like late events do)."""
    batch: list[dict[str, Any]] = []
    start = end - timedelta(days=days)
    for session in simulate_sessions(seed=seed, start=start, days=days, sessions_per_day=per_day):
        if batch and len(batch) + len(session.events) > size:
            yield batch
            batch = []
        batch.extend(session.events)
        while len(batch) > size:
            yield batch[:size]
            batch = batch[size:]
    if batch:
        yield batch


def create_demo_site(
    database: Database,
    clock: Clock,
    settings: Settings,
    *,
    days: int = 30,
    sessions_per_day: int = 300,
    seed: int = 2026,
    progress: Callable[[int], None] | None = None,
) -> CreatedSite:
    """A new "Demo Shop" whose live mode holds `days` of traffic ending now, with the demo
    store's knowledge for the chat panel (its catalogue comes from the traffic's product views).

    The events take the same road as `POST /v1/events`: the site's own secret key is
    authenticated, each batch validated and ingested by the same functions.
    """
    now_ms = clock.now_ms()
    with database.write() as connection:
        site = create_site(connection, name="Demo Shop", plan="growth", now_ms=now_ms)
        add_demo_knowledge(connection, site.site_id, now_ms)
        principal = authenticate(
            connection, site.secret_key_live, kind=KeyKind.SECRET, now_ms=now_ms
        )
    end = datetime.fromtimestamp(now_ms / 1000, UTC) - timedelta(minutes=1)
    for raw_events in _batches(days, sessions_per_day, end, seed, settings.max_batch_events):
        batch = validate_batch({"events": raw_events}, principal, settings, now_ms)
        with database.write() as connection:
            ingest_all_or_nothing(connection, principal=principal, batch=batch, now_ms=now_ms)
        if progress is not None:
            progress(len(raw_events))
    with database.write() as connection:
        add_demo_catalogue(connection, site.site_id, now_ms)
    return site
