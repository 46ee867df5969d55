"""`elnudge demo` feeds simulated traffic through the real ingestion path."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import case, func, select

from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import create_database
from elnudge.db.tables import nudge_offers, nudges, sessions
from elnudge.demo import DEMO_SETTINGS, create_demo_site
from elnudge.keys.service import authenticate
from elnudge.reports.counts import Arm
from elnudge.runtime import Runtime
from elnudge.simulate.lift import EXPECTED_LIFT
from elnudge.timestamps import parse_timestamp
from elnudge.vocabulary import KeyKind
from tests.conftest import NOW
from tests.storefront import ShopApi


def test_demo_site_is_full_of_browsable_sessions(
    runtime: Runtime, client: TestClient, settings: Settings
) -> None:
    site = create_demo_site(runtime.database, runtime.clock, settings, days=3, sessions_per_day=40)
    shop = ShopApi(client, site.secret_key_live)
    sessions = shop.walk(limit=200)
    assert len(sessions) >= 120  # 120 visits, some split by a long pause
    assert any(s["converted"] for s in sessions)
    assert any(s["nudge_count"] for s in sessions)
    busiest = max(sessions, key=lambda s: s["page_count"])
    detail = shop.detail(busiest["id"])
    assert len(detail["events"]) >= busiest["page_count"]


def test_demo_batches_follow_the_batch_setting(runtime: Runtime, client: TestClient) -> None:
    small = runtime.settings.model_copy(update={"max_batch_events": 7})
    # The holdout hashes the site id: without one, both sites make the same decisions.
    no_holdout = {**DEMO_SETTINGS, "holdout_percent": 0}
    site = create_demo_site(
        runtime.database,
        runtime.clock,
        small,
        days=1,
        sessions_per_day=10,
        engine_settings=no_holdout,
    )
    big = create_demo_site(
        runtime.database,
        runtime.clock,
        runtime.settings,
        days=1,
        sessions_per_day=10,
        engine_settings=no_holdout,
    )

    def stored(key: str) -> list[tuple[int, int, bool]]:
        return [
            (s["page_count"], s["intent_score"], s["converted"])
            for s in ShopApi(client, key).walk(limit=200)
        ]

    # Split into batches of 7 (long sessions across batches), the same sessions are stored.
    assert stored(site.secret_key_live) == stored(big.secret_key_live)


# -- the engine in the demo: shown nudges, outcomes, influence, the holdout and the lift --------

DEMO_DAYS = 7
DEMO_PER_DAY = 400
HALF_HELD_OUT = {**DEMO_SETTINGS, "holdout_percent": 50}


@pytest.fixture(scope="module")
def nudged_demo(database_url: str) -> str:
    """A week of demo traffic (2,800 visits) with half the visitors held out, once per backend;
    its secret key."""
    settings = Settings(database_url=database_url, migrate_on_start=False)
    database = create_database(database_url)
    try:
        site = create_demo_site(
            database,
            FrozenClock(parse_timestamp(NOW)),
            settings,
            days=DEMO_DAYS,
            sessions_per_day=DEMO_PER_DAY,
            engine_settings=HALF_HELD_OUT,
        )
    finally:
        database.dispose()
    return site.secret_key_live


def _walk_nudges(client: TestClient, key: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {key}"}
    params: dict[str, Any] = {"limit": 100}
    seen: list[dict[str, Any]] = []
    while True:
        response = client.get("/v1/nudges", params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(body["data"])
        if not body["has_more"]:
            return seen
        params = {"limit": 100, "cursor": body["next_cursor"]}


def _site_id(runtime: Runtime, key: str) -> str:
    with runtime.database.read() as connection:
        return authenticate(connection, key, kind=KeyKind.SECRET, now_ms=0).site_id


def test_demo_shows_every_type_with_every_outcome_and_influences_conversions(
    nudged_demo: str, client: TestClient
) -> None:
    nudges = _walk_nudges(client, nudged_demo)
    seen = Counter((n["type"], n["outcome"]) for n in nudges)
    for kind in ("toast", "chat_bubble", "exit_modal", "sticky_bar"):
        for outcome in ("shown", "clicked", "dismissed", "chat_opened"):
            assert seen[(kind, outcome)] > 0, (kind, outcome)
    influenced = [n for n in nudges if n["influenced_conversion"]]
    assert len(influenced) > 50
    assert all(n["outcome"] != "shown" for n in influenced)


def test_held_out_sessions_have_offers_and_no_shown_nudge(
    nudged_demo: str, runtime: Runtime, client: TestClient
) -> None:
    site_id = _site_id(runtime, nudged_demo)
    with runtime.database.read() as connection:
        held_out = connection.execute(
            select(nudge_offers.c.session_id, nudge_offers.c.type).where(
                nudge_offers.c.site_id == site_id, nudge_offers.c.held_out.is_(True)
            )
        ).all()
        sessions_with_shown = set(
            connection.execute(select(nudges.c.session_id).where(nudges.c.site_id == site_id))
            .scalars()
            .all()
        )
    assert {row.type for row in held_out} == {"toast", "chat_bubble", "exit_modal", "sticky_bar"}
    held_out_sessions = {row.session_id for row in held_out}
    assert len(held_out_sessions) > 300
    assert not held_out_sessions & sessions_with_shown
    shop = ShopApi(client, nudged_demo)
    some = sorted(held_out_sessions)[:5]
    for session_id in some:  # the API shows them as sessions without nudges
        assert shop.detail(session_id)["nudges"] == []


def test_demo_lift_has_the_documented_sign_and_size(nudged_demo: str, runtime: Runtime) -> None:
    """The experiment as the nudge report defines it: sessions with a proactive offer, shown
    (treatment) or held out. The treatment converts more, by about `EXPECTED_LIFT`."""
    site_id = _site_id(runtime, nudged_demo)
    per_session = (
        select(
            nudge_offers.c.session_id,
            func.max(case((nudge_offers.c.held_out.is_(True), 1), else_=0)).label("held_out"),
        )
        .where(nudge_offers.c.site_id == site_id, nudge_offers.c.type != "sticky_bar")
        .group_by(nudge_offers.c.session_id)
        .subquery()
    )
    converted = func.sum(case((sessions.c.converted.is_(True), 1), else_=0))
    arms_query = (
        select(per_session.c.held_out, func.count(), converted)
        .join_from(per_session, sessions, sessions.c.session_id == per_session.c.session_id)
        .where(sessions.c.site_id == site_id)
        .group_by(per_session.c.held_out)
    )
    with runtime.database.read() as connection:
        arms = {bool(h): Arm(n, int(c)) for h, n, c in connection.execute(arms_query)}
    treatment, holdout = arms[False], arms[True]
    assert min(treatment.sessions, holdout.sessions) > 500
    lift = treatment.conversion_rate / holdout.conversion_rate - 1
    assert 0.15 < lift < 2 * EXPECTED_LIFT + 0.15


def test_the_demo_store_answers_from_its_knowledge_and_catalogue(
    runtime: Runtime, client: TestClient, settings: Settings
) -> None:
    from elnudge.knowledge.search import best_match

    site = create_demo_site(runtime.database, runtime.clock, settings, days=1, sessions_per_day=40)
    with runtime.database.read() as connection:
        policy = best_match(connection, site.site_id, "live", "What is your return policy?")
        product = best_match(connection, site.site_id, "live", "How much is the Daily Miles?")
    assert policy is not None and policy.title == "Returns policy"
    assert product is not None and product.kind == "product" and "99.00 USD" in product.text
