"""The nudge report's counts, definition by definition, on hand-made sessions (both backends)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection

from elnudge.clock import FrozenClock
from elnudge.metrics import Period, experiment_arms, period_slots
from elnudge.metrics.experiment import recent_daily_sessions
from elnudge.provisioning import CreatedSite, create_site
from elnudge.reports import Arm, TypeCounts
from elnudge.runtime import Runtime
from elnudge.timestamps import DAY_MS, HOUR_MS
from elnudge.vocabulary import NudgeType
from tests.metrics.shoppers import offer, visit
from tests.storefront import ShopApi


def period(site: CreatedSite, clock: FrozenClock, mode: str = "live") -> Period:
    return Period(site.site_id, mode, clock.now_ms() - 30 * DAY_MS, clock.now_ms())


def type_counts(connection: Connection, counted: Period) -> dict[NudgeType, TypeCounts]:
    return period_slots(connection, counted).by_type()


def all_sessions(connection: Connection, counted: Period) -> Arm:
    return period_slots(connection, counted).total().everyone


def baseline(connection: Connection, counted: Period) -> Arm:
    return period_slots(connection, counted).total().baseline


def test_nothing_shown_is_no_type_and_every_session_in_the_baseline(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 2 * HOUR_MS
    visit(shop, "a", start)
    visit(shop, "b", start + 60_000, buys=True)
    with runtime.database.snapshot() as connection:
        assert type_counts(connection, period(site, clock)) == {}
        assert baseline(connection, period(site, clock)) == Arm(sessions=2, conversions=1)
        assert experiment_arms(connection, period(site, clock)) == (Arm(0, 0), Arm(0, 0))


def test_a_nudge_clicked_and_dismissed_counts_as_both(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 2 * HOUR_MS
    visit(shop, "a", start, nudges=(("nudg_a1", "toast", ("clicked", "dismissed")),), buys=True)
    visit(shop, "b", start + 60_000, nudges=(("nudg_b1", "toast", ("dismissed",)),))
    visit(shop, "c", start + 120_000, nudges=(("nudg_c1", "toast", ()),))
    with runtime.database.snapshot() as connection:
        counts = type_counts(connection, period(site, clock))
    assert counts == {
        NudgeType.TOAST: TypeCounts(
            shown=3,
            clicked=1,
            dismissed=2,
            chat_opened=0,
            sessions=3,
            conversions=1,
            influenced_conversions=1,
        )
    }
    assert shop.detail(_session(shop, "a"))["nudges"][0]["outcome"] == "clicked"


def test_each_reaction_type_and_the_sessions_of_each_nudge_type(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 3 * HOUR_MS
    # Two bubbles in one session: two nudges, one session; the chat opened after a click.
    visit(
        shop,
        "a",
        start,
        nudges=(
            ("nudg_a1", "chat_bubble", ("clicked", "chat_opened")),
            ("nudg_a2", "chat_bubble", ()),
            ("nudg_a3", "sticky_bar", ("dismissed",)),
        ),
        buys=True,
    )
    visit(shop, "b", start + HOUR_MS, nudges=(("nudg_b1", "exit_modal", ("chat_opened",)),))
    with runtime.database.snapshot() as connection:
        counts = type_counts(connection, period(site, clock))
    assert counts[NudgeType.CHAT_BUBBLE] == TypeCounts(
        shown=2,
        clicked=1,
        dismissed=0,
        chat_opened=1,
        sessions=1,
        conversions=1,
        influenced_conversions=1,
    )
    assert counts[NudgeType.STICKY_BAR] == TypeCounts(
        shown=1, dismissed=1, sessions=1, conversions=1, influenced_conversions=1
    )
    assert counts[NudgeType.EXIT_MODAL] == TypeCounts(shown=1, chat_opened=1, sessions=1)
    assert NudgeType.TOAST not in counts


def test_baseline_is_the_sessions_without_a_nudge_interaction(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 5 * HOUR_MS
    visit(shop, "shown-only", start, nudges=(("nudg_1", "toast", ()),), buys=True)
    visit(shop, "clicked", start + HOUR_MS, nudges=(("nudg_2", "toast", ("clicked",)),), buys=True)
    visit(shop, "plain", start + 2 * HOUR_MS)
    visit(shop, "buyer", start + 3 * HOUR_MS, buys=True)
    with runtime.database.snapshot() as connection:
        assert all_sessions(connection, period(site, clock)) == Arm(4, 3)
        assert baseline(connection, period(site, clock)) == Arm(sessions=3, conversions=2)


def test_the_period_is_by_session_start_from_inclusive_to_exclusive(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 5 * HOUR_MS
    visit(shop, "before", start - 1, nudges=(("nudg_1", "toast", ()),))
    visit(shop, "first", start, nudges=(("nudg_2", "toast", ()),))
    visit(shop, "last", start + HOUR_MS - 1, nudges=(("nudg_3", "toast", ()),))
    visit(shop, "after", start + HOUR_MS, nudges=(("nudg_4", "toast", ()),))
    hour = Period(site.site_id, "live", start, start + HOUR_MS)
    with runtime.database.snapshot() as connection:
        assert type_counts(connection, hour)[NudgeType.TOAST].shown == 2
        assert all_sessions(connection, hour) == Arm(2, 0)


def test_the_experiment_compares_sessions_offered_a_proactive_nudge(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 6 * HOUR_MS
    treated = [visit(shop, f"t{n}", start + n * 60_000, buys=n < 2) for n in range(5)]
    held = [visit(shop, f"h{n}", start + HOUR_MS + n * 60_000, buys=n < 1) for n in range(3)]
    sticky_only = visit(shop, "s", start + 2 * HOUR_MS, buys=True)
    for number, session_id in enumerate(treated):
        offer(runtime, site.site_id, session_id, f"nudg_t{number}", held_out=False)
    offer(runtime, site.site_id, treated[0], "nudg_t0b", "chat_bubble", held_out=False)
    for number, session_id in enumerate(held):
        offer(runtime, site.site_id, session_id, f"nudg_h{number}", held_out=True)
    offer(runtime, site.site_id, sticky_only, "nudg_s", "sticky_bar", held_out=True)
    with runtime.database.snapshot() as connection:
        treatment, holdout = experiment_arms(connection, period(site, clock))
        daily = recent_daily_sessions(connection, site.site_id, "live", clock.now_ms())
    assert treatment == Arm(sessions=5, conversions=2)
    assert holdout == Arm(sessions=3, conversions=1)
    # All eight started today (the frozen clock's noon), so the last 7 whole days saw none.
    assert daily == 0.0


def test_recent_traffic_is_the_last_seven_whole_days(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    today = clock.now_ms() - 12 * HOUR_MS  # the frozen clock is at noon UTC
    for number, days_ago in enumerate((1, 3, 7, 8)):
        session_id = visit(shop, f"d{number}", today - days_ago * DAY_MS + HOUR_MS)
        offer(runtime, site.site_id, session_id, f"nudg_d{number}", held_out=number == 0)
    with runtime.database.snapshot() as connection:
        daily = recent_daily_sessions(connection, site.site_id, "live", clock.now_ms())
    assert daily == 3 / 7


def test_another_sites_and_the_other_modes_data_is_never_counted(
    client: TestClient, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    with runtime.database.write() as connection:
        other = create_site(connection, name="Other", plan="starter", now_ms=clock.now_ms())
    start = clock.now_ms() - 2 * HOUR_MS
    for key, prefix in (
        (other.secret_key_live, "o"),
        (site.secret_key_test, "t"),
    ):
        shop = ShopApi(client, key)
        session_id = visit(
            shop, prefix, start, nudges=((f"nudg_{prefix}", "toast", ("clicked",)),), buys=True
        )
        owner = other.site_id if prefix == "o" else site.site_id
        mode = "live" if prefix == "o" else "test"
        offer(runtime, owner, session_id, f"nudg_{prefix}x", held_out=False, mode=mode)
    own = ShopApi(client, site.secret_key_live)
    visit(own, "mine", start, nudges=(("nudg_mine", "exit_modal", ()),))
    with runtime.database.snapshot() as connection:
        live = period(site, clock)
        assert type_counts(connection, live) == {
            NudgeType.EXIT_MODAL: TypeCounts(shown=1, sessions=1)
        }
        assert baseline(connection, live) == Arm(1, 0)
        assert experiment_arms(connection, live) == (Arm(0, 0), Arm(0, 0))
        test = period(site, clock, "test")
        assert type_counts(connection, test)[NudgeType.TOAST].clicked == 1
        assert experiment_arms(connection, test) == (Arm(1, 1), Arm(0, 0))


def _session(shop: ShopApi, client_key: str) -> str:
    for item in shop.walk():
        detail = shop.detail(item["id"])
        if any(n["nudge_id"].startswith(f"nudg_{client_key}") for n in detail["nudges"]):
            return str(item["id"])
    raise AssertionError(client_key)


def test_a_nudge_type_this_version_does_not_know_is_no_row(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    from sqlalchemy import update

    from elnudge.db.tables import nudges

    visit(shop, "a", clock.now_ms() - HOUR_MS, nudges=(("nudg_a", "toast", ()),))
    with runtime.database.write() as connection:  # as a newer version might have written it
        connection.execute(
            update(nudges)
            .where(nudges.c.site_id == site.site_id, nudges.c.nudge_id == "nudg_a")
            .values(type="banner")
        )
    with runtime.database.snapshot() as connection:
        assert type_counts(connection, period(site, clock)) == {}
        assert all_sessions(connection, period(site, clock)) == Arm(1, 0)


def test_every_group_of_sessions_in_one_pass(
    shop: ShopApi, site: CreatedSite, clock: FrozenClock, runtime: Runtime
) -> None:
    start = clock.now_ms() - 8 * HOUR_MS
    shapes = [
        ((), True, None),
        ((("nudg_1", "toast", ("clicked",)),), True, False),
        ((("nudg_2", "toast", ()),), False, False),
        ((("nudg_3", "exit_modal", ("dismissed",)), ("nudg_4", "toast", ("clicked",))), True, True),
        ((), False, True),
        ((("nudg_5", "sticky_bar", ("dismissed",)),), False, None),
    ]
    for number, (nudges, buys, held_out) in enumerate(shapes):
        session_id = visit(shop, f"s{number}", start + number * HOUR_MS, nudges=nudges, buys=buys)
        if held_out is not None:
            offer(runtime, site.site_id, session_id, f"nudg_o{number}", held_out=held_out)
            offer(
                runtime, site.site_id, session_id, f"nudg_q{number}", "sticky_bar", held_out=False
            )
    with runtime.database.snapshot() as connection:
        total = period_slots(connection, period(site, clock)).total()
    assert (total.everyone, total.baseline) == (Arm(6, 3), Arm(3, 1))
    assert (total.treatment_arm, total.holdout_arm) == (Arm(2, 1), Arm(2, 1))
