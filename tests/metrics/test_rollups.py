"""Stored hours of slot counts (metrics/rollups.py), on both backends: a stored hour reads the
same numbers as counting the rows, any write that changes what an hour counts forgets it (late
events, merges, the relay's offers, erasure, purges), partial days and odd periods read the
stored slots they cover, and a purchase several sessions led to counts once."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from elnudge.clock import FrozenClock
from elnudge.db.tables import report_hours, report_slot_credits, report_slots, sessions
from elnudge.metrics import (
    Period,
    Slots,
    count_slots,
    daily_series,
    local_days,
    period_slots,
    rollups,
    settle,
)
from elnudge.metrics.rollups import SHARED_CREDITS, TOTAL
from elnudge.metrics.slots import SLOT_MS
from elnudge.provisioning import CreatedSite
from elnudge.retention.purge import purge
from elnudge.runtime import Runtime
from elnudge.timestamps import DAY_MS, HOUR_MS, MINUTE_MS, format_timestamp_ms, parse_timestamp
from tests.metrics.shoppers import offer, old_visit, visit
from tests.storefront import ShopApi, page_view, purchase

NEW_YORK = ZoneInfo("America/New_York")


def four_days(site: CreatedSite, clock: FrozenClock) -> Period:
    """The three whole UTC days before today, and today until now (2026-05-01T12:00Z)."""
    today = clock.now_ms() // DAY_MS * DAY_MS
    return Period(site.site_id, "live", today - 3 * DAY_MS, clock.now_ms())


def stored_hours(runtime: Runtime, site: CreatedSite) -> list[int]:
    with runtime.database.read() as connection:
        query = select(report_hours.c.hour).where(report_hours.c.site_id == site.site_id)
        return sorted(connection.execute(query).scalars())


Numbers = tuple[dict[int, Any], dict[Any, Any], dict[tuple[int, str], Decimal]]


def both_ways(runtime: Runtime, period: Period) -> tuple[Numbers, Numbers]:
    """(read with stored hours, counted from the rows), in one snapshot: the sessions' and
    types' counts per slot and the influenced revenue per slot and currency."""
    with runtime.database.snapshot() as connection:
        return numbers(period_slots(connection, period, credits=True)), numbers(
            count_slots(connection, period)
        )


def numbers(slots: Slots) -> Numbers:
    return slots.sessions, slots.types, slots.revenue_per_slot()


def total_sessions(counted: Numbers) -> int:
    return sum(counts.sessions for counts in counted[0].values())


def hour_of(at_ms: int) -> int:
    return at_ms // HOUR_MS


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


def test_a_stored_hour_reads_the_same_numbers_as_the_rows(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    shoppers(shop, runtime, site, clock)
    period = four_days(site, clock)
    # Three days, and today's hours that ended an hour ago (now is 12:00: up to 11:00).
    assert settle(runtime.database, period, clock.now_ms()) == 3 * 24 + 11
    first = hour_of(period.from_ms)
    assert stored_hours(runtime, site) == list(range(first, first + 3 * 24 + 11))
    stored, counted = both_ways(runtime, period)
    assert stored == counted
    assert total_sessions(stored) == 12 and stored[2]
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
    assert total_sessions(stored) > total_sessions(counted)


def test_a_late_event_forgets_the_hour_of_its_session(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    shoppers(shop, runtime, site, clock)
    period = four_days(site, clock)
    settle(runtime.database, period, clock.now_ms())
    before = stored_hours(runtime, site)
    # s1 started in the first day's eighth hour and bought nothing; a late purchase joins it.
    started = period.from_ms + 7 * HOUR_MS + 7 * MINUTE_MS
    shop.ingest(purchase(format_timestamp_ms(started + 5 * MINUTE_MS), session="s1"))
    assert stored_hours(runtime, site) == [hour for hour in before if hour != hour_of(started)]
    stored, counted = both_ways(runtime, period)
    assert stored == counted
    assert settle(runtime.database, period, clock.now_ms()) == 1
    assert both_ways(runtime, period)[0] == counted


def test_a_merge_forgets_the_hours_of_both_sessions(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    midnight = clock.now_ms() // DAY_MS * DAY_MS - DAY_MS  # yesterday's start
    shop.ingest(page_view(format_timestamp_ms(midnight - 10 * MINUTE_MS), "/", session="m"))
    shop.ingest(page_view(format_timestamp_ms(midnight + 35 * MINUTE_MS), "/", session="m"))
    period = Period(site.site_id, "live", midnight - DAY_MS, midnight + DAY_MS)
    assert settle(runtime.database, period, clock.now_ms()) == 48
    assert total_sessions(both_ways(runtime, period)[0]) == 2
    # 20 and 25 minutes from the two: one session now, started the day before.
    shop.ingest(page_view(format_timestamp_ms(midnight + 10 * MINUTE_MS), "/cart", session="m"))
    forgotten = {hour_of(midnight) - 1, hour_of(midnight)}
    assert len(stored_hours(runtime, site)) == 46
    assert not forgotten & set(stored_hours(runtime, site))
    stored, counted = both_ways(runtime, period)
    assert stored == counted and total_sessions(stored) == 1


def test_an_offer_of_the_engine_forgets_the_hour_of_its_session(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    made = shoppers(shop, runtime, site, clock)
    period = four_days(site, clock)
    settle(runtime.database, period, clock.now_ms())
    offer(runtime, site.site_id, made[1], "nudg_late", held_out=True)  # s1: 07:07 on day one
    assert hour_of(period.from_ms) + 7 not in stored_hours(runtime, site)
    assert hour_of(period.from_ms) + 6 in stored_hours(runtime, site)
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
    assert stored == counted and total_sessions(stored) < 12


def test_a_purge_forgets_the_hours_it_empties(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    old = clock.now_ms() - 200 * DAY_MS  # beyond the starter plan's storage retention
    for number in range(3):
        visit_at(shop, runtime, site, f"old{number}", old + number * HOUR_MS)
    period = Period(site.site_id, "live", old - DAY_MS, old + DAY_MS)
    settle(runtime.database, period, clock.now_ms())
    visited = {hour_of(old) + number for number in range(3)}
    assert visited < set(stored_hours(runtime, site))
    purge(runtime.database, runtime.clock)
    assert not visited & set(stored_hours(runtime, site))
    stored, counted = both_ways(runtime, period)
    assert stored == counted and total_sessions(stored) == 0


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
    assert len(stored_hours(runtime, site)) == 3 * 24 + 7  # 04-28T04:00Z .. 05-01T11:00Z
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
    for _ in range(4):  # store some of the hours, through periods that touch them
        start = randomly.randrange(whole.from_ms, whole.to_ms)
        end = start + randomly.randrange(1, 20 * HOUR_MS)
        settle(runtime.database, Period(site.site_id, "live", start, end), clock.now_ms())
    assert 20 < len(stored_hours(runtime, site)) < 3 * 24
    for _ in range(40):
        ends = sorted(randomly.randrange(whole.from_ms - HOUR_MS, whole.to_ms) for _ in range(2))
        period = Period(site.site_id, "live", *ends)
        stored, counted = both_ways(runtime, period)
        assert stored == counted, period
        with runtime.database.snapshot() as connection:  # the report's way: totals only
            summed = period_slots(connection, period, buckets=TOTAL)
            rows = count_slots(connection, period)
        assert summed.total() == rows.total(), period
        assert summed.by_type() == rows.by_type(), period


def test_the_report_answers_the_same_from_stored_days(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    shoppers(shop, runtime, site, clock)
    params: dict[str, Any] = {"from": "2026-04-28T00:00:00Z", "to": "2026-05-01T12:00:00Z"}
    first = shop.client.get("/v1/reports/nudges", headers=shop.headers, params=params)
    assert first.status_code == 200, first.text
    assert len(stored_hours(runtime, site)) >= 3 * 24  # the report stored what it read
    again = shop.client.get("/v1/reports/nudges", headers=shop.headers, params=params)
    with runtime.database.write() as connection:
        connection.execute(report_hours.delete().where(report_hours.c.site_id == site.site_id))
    with runtime.database.snapshot() as connection:  # counted from the rows alone
        period = Period(
            site.site_id, "live", parse_timestamp(params["from"]), parse_timestamp(params["to"])
        )
        counted = count_slots(connection, period)
    assert first.json() == again.json()
    by_type = {row["type"]: row["shown"] for row in first.json()["data"]["by_type"]}
    assert sum(by_type.values()) == sum(kind.shown for kind in counted.by_type().values())


def test_a_write_in_flight_keeps_its_hours_from_being_stored(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    """PostgreSQL: counting a day waits for no writer and never misses one (SQLite has one
    writer at a time, so the question does not arise there)."""
    shoppers(shop, runtime, site, clock)
    period = four_days(site, clock)
    if runtime.database.engine.dialect.name != "postgresql":
        assert settle(runtime.database, period, clock.now_ms()) == 3 * 24 + 11
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
        assert stored_hours(runtime, site) == []
    finally:
        done.set()
        thread.join()
    assert settle(runtime.database, period, clock.now_ms()) == 3 * 24 + 11


def two_tabs(shop: ShopApi, at_ms: int, *, value: float = 40.0) -> None:
    """One shopper in two tabs (two sessions, 15 minutes apart), a nudge clicked in each; the
    purchase, in the second, credits both nudges."""
    visit(shop, "tab_a", at_ms, nudges=(("nudg_ta", "toast", ("clicked",)),), visitor="cust_t")
    visit(
        shop,
        "tab_b",
        at_ms + 15 * MINUTE_MS,
        nudges=(("nudg_tb", "chat_bubble", ("clicked",)),),
        buys=True,
        value=value,
        visitor="cust_t",
    )


def test_a_purchase_two_sessions_of_an_hour_led_to_counts_once_with_the_period_s_first(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    hour = clock.now_ms() // DAY_MS * DAY_MS - DAY_MS + 9 * HOUR_MS  # yesterday 09:00
    two_tabs(shop, hour + 5 * MINUTE_MS)  # 09:05 and 09:20
    day = Period(site.site_id, "live", hour - 9 * HOUR_MS, hour + 15 * HOUR_MS)
    assert settle(runtime.database, day, clock.now_ms()) == 24
    with runtime.database.read() as connection:  # both credits are kept
        credits = select(func.count()).where(report_slot_credits.c.site_id == site.site_id)
        assert connection.execute(credits).scalar_one() == 2
    stored, counted = both_ways(runtime, day)
    assert stored == counted
    first_slot = (hour + 5 * MINUTE_MS) // SLOT_MS
    assert stored[2] == {(first_slot, "USD"): Decimal("40.0")}
    # From 09:15 on, the period's first session to lead to it is the second tab's.
    later = replace(day, from_ms=hour + 15 * MINUTE_MS)
    stored, counted = both_ways(runtime, later)
    assert stored == counted and stored[2] == {(first_slot + 1, "USD"): Decimal("40.0")}


def test_a_purchase_credited_by_a_stored_hour_and_one_counted_from_the_rows_counts_once(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    hour = clock.now_ms() // DAY_MS * DAY_MS - DAY_MS + 9 * HOUR_MS
    two_tabs(shop, hour + 50 * MINUTE_MS)  # 09:50 (stored) and 10:05 (forgotten below)
    day = Period(site.site_id, "live", hour - 9 * HOUR_MS, hour + 15 * HOUR_MS)
    settle(runtime.database, day, clock.now_ms())
    with runtime.database.write() as connection:
        connection.execute(report_hours.delete().where(report_hours.c.hour == hour_of(hour) + 1))
    stored, counted = both_ways(runtime, day)
    assert stored == counted
    assert stored[2] == {((hour + 50 * MINUTE_MS) // SLOT_MS, "USD"): Decimal("40.0")}


@pytest.mark.parametrize("shared_credits", [-1, SHARED_CREDITS])
def test_stored_revenue_is_added_up_exactly(
    shop: ShopApi,
    site: CreatedSite,
    clock: FrozenClock,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    shared_credits: int,
) -> None:
    """0.1 + 0.2 is 0.3 (as binary floats it is not), whether the stored credits are added up
    in SQL or, past `SHARED_CREDITS` purchases shared with the rows' part, one by one."""
    monkeypatch.setattr(rollups, "SHARED_CREDITS", shared_credits)
    start = clock.now_ms() // DAY_MS * DAY_MS - DAY_MS
    for number, value in enumerate((0.1, 0.2)):
        visit(
            shop,
            f"buyer{number}",
            start + number * MINUTE_MS,  # both in the day's first slot
            nudges=((f"nudg_b{number}", "toast", ("clicked",)),),
            buys=True,
            value=value,
        )
    visit(shop, "later", start + 20 * HOUR_MS, nudges=(("nudg_l", "toast", ("clicked",)),))
    day = Period(site.site_id, "live", start, start + DAY_MS)
    settle(runtime.database, day, clock.now_ms())
    with runtime.database.write() as connection:  # the last hour is counted from the rows
        connection.execute(report_hours.delete().where(report_hours.c.hour == hour_of(start) + 20))
    stored, counted = both_ways(runtime, day)
    assert stored == counted
    assert stored[2] == {(start // SLOT_MS, "USD"): Decimal("0.3")}


@pytest.mark.parametrize(
    "zone", ["UTC", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham", "Asia/Tehran"]
)
def test_local_days_of_any_offset_add_up_the_stored_slots_as_the_rows_do(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime, zone: str
) -> None:
    """The Overview's days are added up in SQL per local day (from each day's first slot):
    the same days as counting slot by slot, at offsets of quarter and half hours."""
    shoppers(shop, runtime, site, clock)
    local = ZoneInfo(zone)
    period = local_days(site.site_id, "live", date(2026, 4, 27), date(2026, 5, 1), local)
    with runtime.database.snapshot() as connection:
        before = daily_series(connection, period, local)
    settle(runtime.database, period, clock.now_ms())
    with runtime.database.snapshot() as connection:
        assert daily_series(connection, period, local) == before
    assert sum(day.sessions for day in before) == 12


def test_days_when_the_clocks_change_add_up_the_stored_slots_as_the_rows_do(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    # New York springs forward on 2026-03-08; Lord Howe Island goes back half an hour on 04-05.
    for zone, first in (("America/New_York", "2026-03-07"), ("Australia/Lord_Howe", "2026-04-03")):
        local = ZoneInfo(zone)
        day = date.fromisoformat(first)
        last = date(day.year, day.month, day.day + 3)
        period = local_days(site.site_id, "live", day, last, local)
        for number in range(40):  # every 97 minutes over the three days
            old_visit(shop, f"{zone}{number}", period.from_ms + (7 + number * 97) * MINUTE_MS)
        with runtime.database.snapshot() as connection:
            before = daily_series(connection, period, local)
        settle(runtime.database, period, clock.now_ms())
        with runtime.database.snapshot() as connection:
            assert daily_series(connection, period, local) == before, zone
        assert sum(day.sessions for day in before) == 40
