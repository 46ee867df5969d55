"""`elnudge demo` feeds simulated traffic through the real ingestion path."""

from __future__ import annotations

from fastapi.testclient import TestClient

from elnudge.config import Settings
from elnudge.demo import create_demo_site
from elnudge.runtime import Runtime
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
    site = create_demo_site(runtime.database, runtime.clock, small, days=1, sessions_per_day=10)
    big = create_demo_site(
        runtime.database, runtime.clock, runtime.settings, days=1, sessions_per_day=10
    )

    def stored(key: str) -> list[tuple[int, int, bool]]:
        return [
            (s["page_count"], s["intent_score"], s["converted"])
            for s in ShopApi(client, key).walk(limit=200)
        ]

    # Split into batches of 7 (long sessions across batches), the same sessions are stored.
    assert stored(site.secret_key_live) == stored(big.secret_key_live)


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
