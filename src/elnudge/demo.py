"""`elnudge demo`: a demo site filled with simulated traffic through the real ingestion path.

The shoppers visit a site with the demo's engine settings (`DEMO_SETTINGS`): the simulator asks
the real engine for their nudges (docs/simulator.md), so the store ends up with shown nudges,
their outcomes, influenced conversions, held-out visitors' "would have shown" offers, and a lift
measurable against the holdout. The events take the same road as `POST /v1/events`; the
engine's offers are recorded as the relay records them (`nudge_offers`), each in its server
session, in the same transaction as the batch that completes that session.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy.engine import Connection

from elnudge.clock import Clock
from elnudge.config import Settings
from elnudge.db import Database
from elnudge.events.batch import validate_batch
from elnudge.events.service import ingest_all_or_nothing
from elnudge.keys.service import Principal, authenticate
from elnudge.knowledge.demo import add_demo_catalogue, add_demo_knowledge
from elnudge.nudges.repository import insert_offers, session_at
from elnudge.provisioning import CreatedSite, create_site
from elnudge.simulate import simulate_sessions
from elnudge.simulate.decisions import SimulatedOffer, SimulatedSite
from elnudge.sites.engine import site_engine, update_engine_settings
from elnudge.users.service import create_user
from elnudge.vocabulary import KeyKind, Role

# The demo store's engine settings: a larger holdout than the default 10%, so that a month of
# demo traffic measures the lift with a usable interval; a free-shipping threshold (the toast
# has something to say); the account pages kept quiet.
DEMO_SETTINGS: Final[dict[str, Any]] = {
    "holdout_percent": 20,
    "free_shipping_threshold": 150,
    "free_shipping_currency": "USD",
    "quiet_zones": ["/account/*"],
}

Batch = tuple[list[dict[str, Any]], list[SimulatedOffer]]


def _batches(
    days: int, per_day: int, end: datetime, seed: int, size: int, site: SimulatedSite
) -> Iterator[Batch]:
    """Simulated envelopes in batches of at most `size`, sessions kept whole where they fit
    (a longer one is split: its later events join it like late events do). Each batch carries
    the offers of the sessions it completes: their server sessions exist once it is stored."""
    batch: list[dict[str, Any]] = []
    offers: list[SimulatedOffer] = []
    start = end - timedelta(days=days)
    simulated = simulate_sessions(
        seed=seed, start=start, days=days, sessions_per_day=per_day, site=site
    )
    for session in simulated:
        if batch and len(batch) + len(session.events) > size:
            yield batch, offers
            batch, offers = [], []
        batch.extend(session.events)
        while len(batch) > size:
            yield batch[:size], []  # the rest of the session (and its offers) comes next
            batch = batch[size:]
        offers.extend(session.offers)
    if batch:
        yield batch, offers


def create_demo_site(
    database: Database,
    clock: Clock,
    settings: Settings,
    *,
    days: int = 30,
    sessions_per_day: int = 300,
    seed: int = 2026,
    engine_settings: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> CreatedSite:
    """A new "Demo Shop" whose live mode holds `days` of traffic ending now, its nudges decided
    by the engine with `engine_settings` (default `DEMO_SETTINGS`), with the demo store's
    knowledge for the chat panel (its catalogue comes from the traffic's product views).

    The events take the same road as `POST /v1/events`: the site's own secret key is
    authenticated, each batch validated and ingested by the same functions.
    """
    now_ms = clock.now_ms()
    with database.write() as connection:
        site = create_site(connection, name="Demo Shop", plan="growth", now_ms=now_ms)
        changes = DEMO_SETTINGS if engine_settings is None else engine_settings
        update_engine_settings(connection, site.site_id, changes)
        add_demo_knowledge(connection, site.site_id, now_ms)
        principal = authenticate(
            connection, site.secret_key_live, kind=KeyKind.SECRET, now_ms=now_ms
        )
    engine = site_engine(principal.engine_settings, principal.plan)
    shop = SimulatedSite(site.site_id, engine.settings, engine.allowance)
    end = datetime.fromtimestamp(now_ms / 1000, UTC) - timedelta(minutes=1)
    size = settings.max_batch_events
    for raw_events, offers in _batches(days, sessions_per_day, end, seed, size, shop):
        batch = validate_batch({"events": raw_events}, principal, settings, now_ms)
        with database.write() as connection:
            ingest_all_or_nothing(connection, principal=principal, batch=batch, now_ms=now_ms)
            _record_offers(connection, principal, offers)
        if progress is not None:
            progress(len(raw_events))
    with database.write() as connection:
        add_demo_catalogue(connection, site.site_id, now_ms)
    return site


def _record_offers(
    connection: Connection, principal: Principal, offers: list[SimulatedOffer]
) -> None:
    """The engine's offers, each in the server session that holds its session's event."""
    rows = []
    for offer in offers:
        session = session_at(
            connection,
            principal.site_id,
            principal.mode,
            offer.client_session_key,
            offer.session_event_ms,
        )
        if session is None:  # ingestion stores every simulated event: a bug if reached
            raise RuntimeError(f"no session holds offer {offer.nudge_id}")
        rows.append(offer.row(principal.site_id, principal.mode, session.session_id))
    insert_offers(connection, rows)


DEMO_EMAIL = "demo@example.com"


def create_demo_user(database: Database, site_id: str, now_ms: int) -> tuple[str, str]:
    """A dashboard owner of the demo site with a fresh random password: (email, password).
    Run again, the same user gets the new site and a new password."""
    password = secrets.token_urlsafe(12)
    with database.write() as connection:
        create_user(
            connection,
            email=DEMO_EMAIL,
            password=password,
            site_id=site_id,
            role=Role.OWNER,
            now_ms=now_ms,
        )
    return DEMO_EMAIL, password
