"""The Overview's per-day series: local days of an IANA time zone, revenue of influenced
purchases counted once, the allowance used this month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from elnudge.clock import FrozenClock
from elnudge.metrics import (
    AllowanceUse,
    Period,
    allowance_use,
    daily_series,
    local_days,
    report_counts,
    totals,
)
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.timestamps import DAY_MS, HOUR_MS, parse_timestamp
from tests.metrics.shoppers import visit
from tests.storefront import ShopApi

NEW_YORK = ZoneInfo("America/New_York")


def test_days_are_local_calendar_days_with_every_number(
    shop: ShopApi, site: CreatedSite, runtime: Runtime
) -> None:
    # 2026-05-01T02:30Z is still April 30 in New York (UTC-4); 04:30Z is May 1.
    april = parse_timestamp("2026-05-01T02:30:00Z")
    may = parse_timestamp("2026-05-01T04:30:00Z")
    visit(shop, "a", april, nudges=(("nudg_a", "toast", ("clicked",)),), buys=True, value=20.5)
    visit(shop, "b", april + 60_000)
    visit(shop, "c", may, nudges=(("nudg_c", "toast", ()),), buys=True)
    visit(
        shop,
        "d",
        may + 60_000,
        nudges=(("nudg_d", "exit_modal", ("dismissed",)),),
        buys=True,
        value=7.25,
        currency="EUR",
    )
    period = local_days(site.site_id, "live", date(2026, 4, 29), date(2026, 5, 1), NEW_YORK)
    with runtime.database.snapshot() as connection:
        days = daily_series(connection, period, NEW_YORK)
    assert [day.day for day in days] == [date(2026, 4, 29), date(2026, 4, 30), date(2026, 5, 1)]
    empty, april_30, may_1 = days
    assert (empty.sessions, empty.conversion_rate, empty.average_intent) == (0, 0.0, None)
    assert (april_30.sessions, april_30.conversions, april_30.conversion_rate) == (2, 1, 0.5)
    assert (april_30.nudges_shown, april_30.influenced_conversions) == (1, 1)
    assert april_30.influenced_revenue == {"USD": Decimal("20.5")}
    assert (may_1.sessions, may_1.conversions, may_1.nudges_shown) == (2, 2, 2)
    assert may_1.influenced_conversions == 1
    assert may_1.influenced_revenue == {"EUR": Decimal("7.25")}
    scores = [s["intent_score"] for s in shop.walk(**{"from": "2026-04-30T00:00:00Z"})]
    total = totals(days)
    assert total.sessions == 4 and total.intent_total == sum(scores)
    assert total.average_intent == round(sum(scores) / 4, 1)
    assert total.influenced_revenue == {"USD": Decimal("20.5"), "EUR": Decimal("7.25")}


def test_the_series_agrees_with_the_report_over_the_same_period(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 3 * DAY_MS
    for number in range(6):
        reactions = (("clicked",), ("dismissed",), ())[number % 3]
        visit(
            shop,
            f"s{number}",
            start + number * 11 * HOUR_MS,
            nudges=((f"nudg_{number}", ("toast", "chat_bubble")[number % 2], reactions),),
            buys=number % 2 == 0,
        )
    period = local_days(site.site_id, "live", date(2026, 4, 27), date(2026, 5, 1), NEW_YORK)
    with runtime.database.snapshot() as connection:
        total = totals(daily_series(connection, period, NEW_YORK))
        counts = report_counts(connection, period, holdout_share=0.1, now_ms=clock.now_ms())
    assert total.sessions == 6
    assert total.nudges_shown == sum(c.shown for c in counts.by_type.values()) == 6
    assert total.influenced_conversions == sum(
        c.influenced_conversions for c in counts.by_type.values()
    )


def test_a_purchase_two_nudges_led_to_is_revenue_once(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 2 * HOUR_MS
    visit(
        shop,
        "a",
        start,
        nudges=(("nudg_1", "toast", ("clicked",)), ("nudg_2", "chat_bubble", ("chat_opened",))),
        buys=True,
        value=50,
    )
    period = Period(site.site_id, "live", start, clock.now_ms())
    with runtime.database.snapshot() as connection:
        (day,) = daily_series(connection, period, ZoneInfo("UTC"))
    assert day.influenced_conversions == 2
    assert day.influenced_revenue == {"USD": Decimal(50)}


def test_a_purchase_in_the_visitors_next_session_is_credited_to_the_nudge(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 5 * HOUR_MS
    visit(shop, "first", start, nudges=(("nudg_1", "toast", ("clicked",)),), visitor="v1")
    # A closed and reopened browser: a new client key, 5 minutes later, the same visitor.
    visit(shop, "second", start + 5 * 60_000 + 61_000, buys=True, value=12, visitor="v1")
    period = Period(site.site_id, "live", start, start + 60_000)
    with runtime.database.snapshot() as connection:
        (day,) = daily_series(connection, period, ZoneInfo("UTC"))
    assert (day.sessions, day.conversions, day.influenced_conversions) == (1, 0, 1)
    assert day.influenced_revenue == {"USD": Decimal(12)}


def test_allowance_use_is_this_utc_months_sessions(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    visit(shop, "a", clock.now_ms() - HOUR_MS)
    visit(shop, "b", clock.now_ms() - 2 * HOUR_MS)
    visit(shop, "last-month", parse_timestamp("2026-04-30T10:00:00Z"))
    with runtime.database.snapshot() as connection:
        used = allowance_use(connection, site.site_id, 5000, clock.now_ms())
        unlimited = allowance_use(connection, site.site_id, None, clock.now_ms())
    assert used == AllowanceUse(month="2026-05", sessions=2, allowance=5000)
    assert used.used == 2 / 5000
    assert unlimited.used is None
    assert AllowanceUse("2026-05", 3, 0).used == 1.0
