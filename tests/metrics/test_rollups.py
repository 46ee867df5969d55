"""Stored days of slot counts (metrics/rollups.py), on both backends: a stored day reads the
same numbers as counting the rows, any write that changes what a day counts forgets it (late
events, merges, the relay's offers, erasure, purges), and partial days and odd periods read the
stored slots they cover."""

from __future__ import annotations

import random
import threading
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from elnudge.clock import FrozenClock
from elnudge.db.tables import report_days, report_slot_credits, report_slots, sessions
from elnudge.metrics import (
    Period,
    Slots,
    count_slots,
    daily_series,
    local_days,
    period_slots,
    settle,
)
from elnudge.provisioning import CreatedSite
from elnudge.retention.purge import purge
from elnudge.runtime import Runtime
from elnudge.timestamps import DAY_MS, HOUR_MS, MINUTE_MS, format_timestamp_ms, parse_timestamp
from tests.metrics.shoppers import offer, visit
from tests.storefront import ShopApi, page_view, purchase

NEW_YORK = ZoneInfo("America/New_York")


def four_days(site: CreatedSite, clock: FrozenClock) -> Period:
    """The three whole UTC days before today, and today until now (2026-05-01T12:00Z)."""
    today = clock.now_ms() // DAY_MS * DAY_MS
    return Period(site.site_id, "live", today - 3 * DAY_MS, clock.now_ms())


def stored_days(runtime: Runtime, site: CreatedSite) -> list[int]:
    with runtime.database.read() as connection:
        query = select(report_days.c.day).where(report_days.c.site_id == site.site_id)
        return sorted(connection.execute(query).scalars())


def both_ways(runtime: Runtime, period: Period) -> tuple[Slots, Slots]:
    """(read with stored days, counted from the rows), in one snapshot."""
    with runtime.database.snapshot() as connection:
        return period_slots(connection, period, credits=True), count_slots(connection, period)


def day_of(at_ms: int) -> int:
    return at_ms // DAY_MS


def shoppers(shop: ShopApi, runtime: Runtime, site: CreatedSite, clock: FrozenClock) -> list[str]:
    """A dozen sessions over the four days: nudges of every reaction, purchases (one credited
    across sessions of a visitor), the experiment's offers. Their `sess_` ids."""
    start = four_days(site, clock).from_ms
    made = []
    for number in range(12):
        at = start + number * 7 * HOUR_MS + number * 7 * MINUTE_MS
        reactions = (("clicked",), ("dismissed",), ("chat_opened",), ())[number % 4]
        kind = ("toast", "exit_modal", "chat_bubble", "sticky_bar")[number % 4]
        made.append(
            visit(
                shop,
                f"s{number}",
                at,
                nudges=((f"nudg_{number}", kind, reactions),),
                buys=number % 3 == 0,
                value=10.0 + number,
                currency=("USD", "EUR")[number % 2],
                visitor=f"cust_{number % 5}",
            )
        )
        if number % 2 == 0:
            offer(runtime, site.site_id, made[-1], f"nudg_o{number}", held_out=number % 4 == 0)
    return made


def test_a_stored_day_reads_the_same_numbers_as_the_rows(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    shoppers(shop, runtime, site, clock)
    period = four_days(site, clock)
    assert settle(runtime.database, period, clock.now_ms()) == 3  # today is not over
    first = day_of(period.from_ms)
    assert stored_days(runtime, site) == [first, first + 1, first + 2]
    stored, counted = both_ways(runtime, period)
    assert stored == counted
    assert stored.total().sessions == 12 and stored.first_credits()
    assert settle(runtime.database, period, clock.now_ms()) == 0  # nothing left to store


def test_the_stored_counts_are_what_is_read(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    shoppers(shop, runtime, site, clock)
    period = four_days(site, clock)
    settle(runtime.database, period, clock.now_ms())
    with runtime.database.write() as connection:  # no writer does this: it proves the read
        connection.execute(
            update(report_slots)
            .where(report_slots.c.site_id == site.site_id)
            .values(sessions=report_slots.c.sessions + 100)
        )
    stored, counted = both_ways(runtime, period)
    assert stored.total().sessions > counted.total().sessions


def test_a_late_event_forgets_the_day_of_its_session(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    shoppers(shop, runtime, site, clock)
    period = four_days(site, clock)
    settle(runtime.database, period, clock.now_ms())
    first = day_of(period.from_ms)
    # s1 started on the first day and bought nothing; a late purchase joins it.
    started = period.from_ms + 7 * HOUR_MS + 7 * MINUTE_MS
    shop.ingest(purchase(format_timestamp_ms(started + 5 * MINUTE_MS), session="s1"))
    assert stored_days(runtime, site) == [first + 1, first + 2]
    stored, counted = both_ways(runtime, period)
    assert stored == counted
    assert settle(runtime.database, period, clock.now_ms()) == 1
    assert both_ways(runtime, period)[0].total().conversions == counted.total().conversions


def test_a_merge_forgets_the_days_of_both_sessions(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    midnight = clock.now_ms() // DAY_MS * DAY_MS - DAY_MS  # yesterday's start
    shop.ingest(page_view(format_timestamp_ms(midnight - 10 * MINUTE_MS), "/", session="m"))
    shop.ingest(page_view(format_timestamp_ms(midnight + 35 * MINUTE_MS), "/", session="m"))
    period = Period(site.site_id, "live", midnight - DAY_MS, midnight + DAY_MS)
    settle(runtime.database, period, clock.now_ms())
    assert both_ways(runtime, period)[0].total().sessions == 2
    # 20 and 25 minutes from the two: one session now, started the day before.
    shop.ingest(page_view(format_timestamp_ms(midnight + 10 * MINUTE_MS), "/cart", session="m"))
    assert stored_days(runtime, site) == []
    stored, counted = both_ways(runtime, period)
    assert stored == counted and stored.total().sessions == 1


def test_an_offer_of_the_engine_forgets_the_day_of_its_session(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    made = shoppers(shop, runtime, site, clock)
    period = four_days(site, clock)
    settle(runtime.database, period, clock.now_ms())
    offer(runtime, site.site_id, made[1], "nudg_late", held_out=True)  # s1: the first day
    assert day_of(period.from_ms) not in stored_days(runtime, site)
    stored, counted = both_ways(runtime, period)
    assert stored == counted


def test_erasure_forgets_the_visitors_days_and_their_purchases(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    shoppers(shop, runtime, site, clock)
    period = four_days(site, clock)
    settle(runtime.database, period, clock.now_ms())
    with runtime.database.read() as connection:
        credits = select(func.count()).where(report_slot_credits.c.site_id == site.site_id)
        assert connection.execute(credits).scalar_one() > 0
    response = shop.client.delete("/v1/visitors/cust_0", headers=shop.headers)
    assert response.status_code == 200, response.text
    stored, counted = both_ways(runtime, period)
    assert stored == counted
    settle(runtime.database, period, clock.now_ms())
    stored, counted = both_ways(runtime, period)
    assert stored == counted and stored.total().sessions < 12


def test_a_purge_forgets_the_days_it_empties(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    old = clock.now_ms() - 200 * DAY_MS  # beyond the starter plan's storage retention
    for number in range(3):
        visit_at(shop, runtime, site, f"old{number}", old + number * HOUR_MS)
    period = Period(site.site_id, "live", old - DAY_MS, old + DAY_MS)
    settle(runtime.database, period, clock.now_ms())
    assert stored_days(runtime, site) == [day_of(old) - 1, day_of(old), day_of(old) + 1]
    purge(runtime.database, runtime.clock)
    assert day_of(old) not in stored_days(runtime, site)
    stored, counted = both_ways(runtime, period)
    assert stored == counted and stored.total().sessions == 0


def visit_at(shop: ShopApi, runtime: Runtime, site: CreatedSite, key: str, at_ms: int) -> None:
    """A page view older than ingestion accepts today: moved back in time after ingestion."""
    now = runtime.clock.now_ms()
    shop.ingest(page_view(format_timestamp_ms(now - HOUR_MS), "/", session=key))
    with runtime.database.write() as connection:
        connection.execute(
            update(sessions)
            .where(sessions.c.site_id == site.site_id, sessions.c.client_key == key)
            .values(started_at=at_ms, ended_at=at_ms)
        )


def test_local_days_read_the_stored_slots_of_partial_utc_days(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    shoppers(shop, runtime, site, clock)
    period = local_days(site.site_id, "live", date(2026, 4, 28), date(2026, 5, 1), NEW_YORK)
    with runtime.database.snapshot() as connection:
        before = daily_series(connection, period, NEW_YORK)
    settle(runtime.database, period, clock.now_ms())
    assert len(stored_days(runtime, site)) == 3  # 04-28 (from 04:00Z on in the period) .. 04-30
    with runtime.database.snapshot() as connection:
        assert daily_series(connection, period, NEW_YORK) == before
    stored, counted = both_ways(runtime, period)
    assert stored == counted


def test_any_period_reads_the_same_numbers_stored_or_not(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    shoppers(shop, runtime, site, clock)
    whole = four_days(site, clock)
    randomly = random.Random(20261202)
    for _ in range(3):  # store some of the days, through periods that touch them
        start = randomly.randrange(whole.from_ms, whole.to_ms)
        settle(runtime.database, Period(site.site_id, "live", start, start + 1), clock.now_ms())
    assert 0 < len(stored_days(runtime, site)) <= 3
    for _ in range(40):
        ends = sorted(randomly.randrange(whole.from_ms - HOUR_MS, whole.to_ms) for _ in range(2))
        period = Period(site.site_id, "live", *ends)
        stored, counted = both_ways(runtime, period)
        assert stored == counted, period
        with runtime.database.snapshot() as connection:  # the report's way: totals only
            summed = period_slots(connection, period, per_slot=False)
        assert summed.total() == counted.total(), period
        assert summed.by_type() == counted.by_type(), period


def test_the_report_answers_the_same_from_stored_days(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    shoppers(shop, runtime, site, clock)
    params: dict[str, Any] = {"from": "2026-04-28T00:00:00Z", "to": "2026-05-01T12:00:00Z"}
    first = shop.client.get("/v1/reports/nudges", headers=shop.headers, params=params)
    assert first.status_code == 200, first.text
    assert len(stored_days(runtime, site)) >= 3  # the report stored what it read
    again = shop.client.get("/v1/reports/nudges", headers=shop.headers, params=params)
    with runtime.database.write() as connection:
        connection.execute(report_days.delete().where(report_days.c.site_id == site.site_id))
    with runtime.database.snapshot() as connection:  # counted from the rows alone
        period = Period(
            site.site_id, "live", parse_timestamp(params["from"]), parse_timestamp(params["to"])
        )
        counted = count_slots(connection, period)
    assert first.json() == again.json()
    by_type = {row["type"]: row["shown"] for row in first.json()["data"]["by_type"]}
    assert sum(by_type.values()) == sum(kind.shown for kind in counted.by_type().values())


def test_a_write_in_flight_keeps_its_day_from_being_stored(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    """PostgreSQL: counting a day waits for no writer and never misses one (SQLite has one
    writer at a time, so the question does not arise there)."""
    shoppers(shop, runtime, site, clock)
    period = four_days(site, clock)
    if runtime.database.engine.dialect.name != "postgresql":
        settle(runtime.database, period, clock.now_ms())
        assert len(stored_days(runtime, site)) == 3
        return
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        with runtime.database.write() as connection:
            connection.execute(
                update(sessions)
                .where(sessions.c.site_id == site.site_id)
                .values(intent_score=sessions.c.intent_score)
            )
            writing.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        assert settle(runtime.database, period, clock.now_ms()) == 0
        assert stored_days(runtime, site) == []
    finally:
        done.set()
        thread.join()
    assert settle(runtime.database, period, clock.now_ms()) == 3
