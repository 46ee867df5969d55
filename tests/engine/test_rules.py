"""The rules over all triggers: cooldown, cap, silence, the exit modal, the sticky bar, quiet
zones, test mode, allowance, holdout, priority and freshness."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from elnudge.engine import (
    Decision,
    EngineSettings,
    Reason,
    Rule,
    decide,
    monthly_allowance,
    parse_settings,
    within_allowance,
)
from elnudge.sites.plans import PLANS
from elnudge.vocabulary import Event, EventType, Mode, NudgeType
from tests.engine.shopper import (
    PRODUCT,
    add,
    dismissed,
    exit_intent,
    idle,
    offer,
    page,
    product,
    scroll,
    shown,
    signal,
    situation,
)

LOW_STOCK_PAGE = [page(PRODUCT, 100), product(101, stock=2)]  # fires low_stock at 101 s


def decided(events: list[Event], settings: EngineSettings | None = None, **fields: Any) -> Decision:
    return decide(situation(events, **fields), settings or EngineSettings())


# -- cooldown --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("now", "fires"), [(60, True), (59.999, False), (200, True)])
def test_sixty_seconds_between_proactive_offers(now: float, fires: bool) -> None:
    decision = decided(LOW_STOCK_PAGE, now=now, offers=(offer("nudg_1", 0, Rule.DEEP_SCROLL),))
    if fires:
        assert decision.rule == Rule.LOW_STOCK
    else:
        assert (decision.nudge, decision.reasons) == (None, (Reason.COOLDOWN,))


def test_offers_count_for_the_cooldown_whether_shown_or_held_out() -> None:
    never_shown = (offer("nudg_1", 50),)
    held_out = (offer("nudg_1", 50, held_out=True),)
    for offers in (never_shown, held_out):
        assert decided(LOW_STOCK_PAGE, offers=offers).reasons == (Reason.COOLDOWN,)


def test_the_sticky_bar_ignores_the_cooldown() -> None:
    decision = decided([page("/checkout", 0)], offers=(offer("nudg_1", 0),))
    assert decision.rule == Rule.CHECKOUT


# -- at most 3 proactive nudges per session --------------------------------------------------------


def _earlier(count: int, *, held_out: bool = False) -> tuple[Any, ...]:
    return tuple(offer(f"nudg_{i}", i - 30, held_out=held_out) for i in range(count))


def test_the_third_offer_fires_and_the_fourth_does_not() -> None:
    assert decided(LOW_STOCK_PAGE, offers=_earlier(2)).rule == Rule.LOW_STOCK
    capped = decided(LOW_STOCK_PAGE, offers=_earlier(3))
    assert capped.reasons == (Reason.SESSION_CAP,)
    assert decided(LOW_STOCK_PAGE, offers=_earlier(3, held_out=True)).reasons == (
        Reason.SESSION_CAP,
    )


def test_the_sticky_bar_is_outside_the_cap() -> None:
    bars = tuple(offer(f"nudg_b{i}", i, Rule.CHECKOUT, NudgeType.STICKY_BAR) for i in range(5))
    assert decided(LOW_STOCK_PAGE, offers=bars).rule == Rule.LOW_STOCK
    at_cap = decided([page("/checkout", 0)], offers=_earlier(3))
    assert at_cap.rule == Rule.CHECKOUT


# -- silence after 2 dismissals --------------------------------------------------------------------


def _dismissals(count: int, kind: NudgeType = NudgeType.TOAST) -> list[Event]:
    events = []
    for i in range(count):
        events += [shown(i * 10, f"nudg_{i}", kind), dismissed(i * 10 + 2, f"nudg_{i}")]
    return events


def test_the_second_dismissal_silences_the_session() -> None:
    assert decided([*_dismissals(1), *LOW_STOCK_PAGE]).rule == Rule.LOW_STOCK
    assert decided([*_dismissals(2), *LOW_STOCK_PAGE]).reasons == (Reason.SILENCED,)


def test_fades_collapses_and_the_bar_are_no_dismissals() -> None:
    faded = [shown(0, "nudg_1", NudgeType.TOAST), shown(70, "nudg_2", NudgeType.CHAT_BUBBLE)]
    assert decided([*faded, *LOW_STOCK_PAGE]).rule == Rule.LOW_STOCK
    bars = _dismissals(2, NudgeType.STICKY_BAR)
    assert decided([*bars, *LOW_STOCK_PAGE]).rule == Rule.LOW_STOCK


def test_dismissals_of_offers_count_by_the_offers_type() -> None:
    # A dismissal whose NUDGE_SHOWN was lost still counts: the offer says what it was.
    events = [dismissed(2, "nudg_1"), dismissed(12, "nudg_2"), *LOW_STOCK_PAGE]
    offers = (offer("nudg_1", 0), offer("nudg_2", 10, Rule.DEEP_SCROLL, NudgeType.CHAT_BUBBLE))
    assert decided(events, offers=offers).reasons == (Reason.SILENCED,)


def test_the_sticky_bar_still_appears_after_the_silence() -> None:
    decision = decided([*_dismissals(2), page("/checkout/payment", 100)])
    assert decision.rule == Rule.CHECKOUT


# -- the sticky bar: one per session, hidden once dismissed ----------------------------------------


def test_the_sticky_bar_is_redrawn_with_its_id() -> None:
    bar = offer("nudg_bar", 0, Rule.CHECKOUT, NudgeType.STICKY_BAR)
    events = [page("/checkout/shipping", 0), page("/checkout/payment", 30)]
    decision = decided(events, offers=(bar,))
    assert decision.nudge is not None
    assert decision.nudge.existing_nudge_id == "nudg_bar"


def test_a_dismissed_sticky_bar_stays_hidden() -> None:
    bar = offer("nudg_bar", 0, Rule.CHECKOUT, NudgeType.STICKY_BAR)
    events = [
        page("/checkout/shipping", 0),
        shown(1, "nudg_bar", NudgeType.STICKY_BAR, "/checkout/shipping"),
        dismissed(5, "nudg_bar", "/checkout/shipping"),
        page("/checkout/payment", 30),
    ]
    decision = decided(events, offers=(bar,))
    assert (decision.nudge, decision.reasons) == (None, (Reason.STICKY_BAR_DISMISSED,))


# -- the exit modal: once per session, and nothing over it while open ------------------------------


def test_the_exit_modal_once_per_session() -> None:
    events = [*LOW_STOCK_PAGE, add(105), exit_intent(300)]
    modal = offer("nudg_m", 200, Rule.EXIT_INTENT, NudgeType.EXIT_MODAL)
    decision = decided(events, offers=(modal,))
    assert decision.reasons == (Reason.EXIT_MODAL_USED,)


def test_a_used_exit_modal_lets_the_next_trigger_fire() -> None:
    events = [page("/", 0), add(1), page(PRODUCT, 100), product(101, stock=2), exit_intent(102)]
    modal = offer("nudg_m", 20, Rule.EXIT_INTENT, NudgeType.EXIT_MODAL)
    assert decided(events, offers=(modal,)).rule == Rule.LOW_STOCK


def test_nothing_proactive_while_an_exit_modal_is_open() -> None:
    modal = offer("nudg_m", 10, Rule.EXIT_INTENT, NudgeType.EXIT_MODAL)
    opened = [
        page(PRODUCT, 0),
        product(1),
        add(5),
        exit_intent(9),
        shown(10, "nudg_m", "exit_modal"),
    ]
    decision = decided([*opened, idle(80)], offers=(modal,))
    assert decision.reasons == (Reason.MODAL_OPEN,)
    answered = [*opened, dismissed(20, "nudg_m"), idle(80)]
    assert decided(answered, offers=(modal,)).rule == Rule.IDLE_ON_PRODUCT
    left = [*opened, page(PRODUCT, 50), product(51), idle(90)]
    assert decided(left, offers=(modal,)).rule == Rule.IDLE_ON_PRODUCT


# -- a signal is answered once ---------------------------------------------------------------------


def test_one_exit_intent_is_not_answered_twice() -> None:
    events = [*LOW_STOCK_PAGE, add(105), exit_intent(110)]
    modal = offer("nudg_m", 110, Rule.EXIT_INTENT, NudgeType.EXIT_MODAL)
    later = decided(events, now=300, offers=(modal,))
    assert later.reasons == (Reason.NO_TRIGGER,)


def test_one_product_page_view_gets_one_product_page_nudge() -> None:
    toast = offer("nudg_1", 101)
    decision = decided(LOW_STOCK_PAGE, now=400, viewers=9, offers=(toast,))
    assert decision.reasons == (Reason.NO_TRIGGER,)
    again = decided([*LOW_STOCK_PAGE, page(PRODUCT, 300)], now=400, viewers=9, offers=(toast,))
    assert again.rule == Rule.LOW_STOCK  # viewing the page again is a new signal


def test_a_state_signal_blocked_by_the_cooldown_fires_after_it() -> None:
    offers = (offer("nudg_1", 90, Rule.DEEP_SCROLL, NudgeType.CHAT_BUBBLE),)
    assert decided(LOW_STOCK_PAGE, now=101, offers=offers).reasons == (Reason.COOLDOWN,)
    assert decided(LOW_STOCK_PAGE, now=150, offers=offers).rule == Rule.LOW_STOCK


# -- priority --------------------------------------------------------------------------------------


def test_priority_when_several_triggers_match() -> None:
    rich = [page(PRODUCT, 0), product(1, stock=2), scroll(10, 100), idle(60)]
    assert decided(rich, returning_visitor=True, viewers=5).rule == Rule.IDLE_ON_PRODUCT
    assert decided(rich[:3], returning_visitor=True, viewers=5).rule == Rule.LOW_STOCK
    assert decided(rich[:3], returning_visitor=True, viewers=5, intent_score=90).rule == (
        Rule.LOW_STOCK
    )
    leaving = [*rich, exit_intent(61)]
    assert decided(leaving, intent_score=90).rule == Rule.EXIT_INTENT
    assert decided([page(PRODUCT, 0), product(1), scroll(10, 100)], viewers=3).rule == (
        Rule.POPULAR_PRODUCT
    )


def test_a_proactive_trigger_wins_over_the_sticky_bar() -> None:
    events = [page("/checkout", 0), add(1, url="/checkout"), exit_intent(5, "/checkout")]
    assert decided(events).rule == Rule.EXIT_INTENT
    assert decided(events[:2]).rule == Rule.CHECKOUT


# -- after a purchase ------------------------------------------------------------------------------


def test_nothing_proactive_after_a_purchase_but_the_bar() -> None:
    bought = signal(EventType.PURCHASE, 50, "/checkout/thanks", value=9, currency="USD")
    decision = decided([page("/checkout", 0), bought, *LOW_STOCK_PAGE])
    assert decision.reasons == (Reason.PURCHASED,)
    assert decided([bought, page("/checkout/thanks", 51)]).rule == Rule.CHECKOUT


# -- quiet zones -----------------------------------------------------------------------------------


def test_a_quiet_zone_suppresses_everything_the_bar_too() -> None:
    quiet = parse_settings({"quiet_zones": ["/products/*", "/checkout/*"]})
    for events in (LOW_STOCK_PAGE, [page("/checkout/payment", 0)]):
        decision = decided(events, quiet, mode=Mode.TEST)
        assert (decision.nudge, decision.would_show, decision.reasons) == (
            None,
            None,
            (Reason.QUIET_ZONE,),
        )


def test_the_sites_quiet_zones_win_over_the_tags() -> None:
    site = parse_settings({"quiet_zones": ["/account/*"]})
    tag = ("/products/*",)
    assert decided(LOW_STOCK_PAGE, site, tag_quiet_zones=tag).rule == Rule.LOW_STOCK
    assert decided(LOW_STOCK_PAGE, tag_quiet_zones=tag).reasons == (Reason.QUIET_ZONE,)
    account = [page("/account/orders?page=2", 0)]
    assert decided(account, site, tag_quiet_zones=tag).reasons == (Reason.QUIET_ZONE,)


# -- test mode and holdout: decided, recorded, not shown -------------------------------------------


def test_test_mode_never_shows_but_says_what_live_would() -> None:
    live = decided(LOW_STOCK_PAGE)
    test = decided(LOW_STOCK_PAGE, mode=Mode.TEST)
    assert (test.nudge, test.rule, test.reasons) == (None, Rule.LOW_STOCK, (Reason.TEST_MODE,))
    assert test.would_show == live.nudge


def test_a_held_out_visitor_gets_the_would_show_recorded() -> None:
    live = decided(LOW_STOCK_PAGE)
    held = decided(LOW_STOCK_PAGE, held_out=True)
    assert (held.nudge, held.rule, held.reasons) == (None, Rule.LOW_STOCK, (Reason.HOLDOUT,))
    assert held.would_show == live.nudge
    both = decided(LOW_STOCK_PAGE, held_out=True, mode=Mode.TEST)
    assert both.reasons == (Reason.TEST_MODE, Reason.HOLDOUT)


def test_the_holdout_withholds_the_sticky_bar_too() -> None:
    decision = decided([page("/checkout", 0)], held_out=True)
    assert decision.nudge is None and decision.would_show is not None


# -- allowance, switch, bots -----------------------------------------------------------------------


def test_the_allowances_last_session_gets_nudges_and_the_next_does_not() -> None:
    assert within_allowance(5_000, 5_000)
    assert not within_allowance(5_001, 5_000)
    assert within_allowance(10**9, None)
    with pytest.raises(ValueError):
        within_allowance(0, 10)
    used = decided(LOW_STOCK_PAGE, within_allowance=False)
    assert (used.nudge, used.would_show, used.reasons) == (None, None, (Reason.ALLOWANCE_USED,))


def test_the_allowance_comes_from_the_plan_unless_overridden() -> None:
    default = EngineSettings()
    plans = ("starter", "growth", "scale", "enterprise")
    assert [monthly_allowance(default, PLANS[plan].monthly_sessions) for plan in plans] == [
        5_000,
        25_000,
        100_000,
        None,
    ]
    assert monthly_allowance(parse_settings({"monthly_sessions": 7}), None) == 7
    assert monthly_allowance(parse_settings({"monthly_sessions": "unlimited"}), 5_000) is None


def test_nudges_off_and_bots_get_nothing_and_say_so() -> None:
    off = parse_settings({"nudges_enabled": False})
    decision = decided(LOW_STOCK_PAGE, off, is_bot=True)
    assert decision.reasons == (Reason.NUDGES_OFF, Reason.BOT)
    assert decision.would_show is None


# -- what a proposal carries -----------------------------------------------------------------------


def test_a_proposal_carries_the_sites_choices() -> None:
    settings = parse_settings(
        {
            "agent_name": "Sam",
            "toast_position": "top-right",
            "messages": {"low_stock": "Hurry — only {stock} of {product} left"},
        }
    )
    decision = decided(LOW_STOCK_PAGE, settings)
    assert decision.nudge is not None
    assert decision.nudge.message == "Hurry — only 2 of Trail Shoe left"
    assert decision.nudge.cta == "Ask Sam"
    assert decision.nudge.opening_message.startswith("Hi, I'm Sam.")
    assert (decision.nudge.agent_name, decision.nudge.toast_position) == ("Sam", "top-right")
    assert decision.nudge.linger_ms == 5_000
    bubble = decided([*LOW_STOCK_PAGE, idle(170)], settings, offers=(offer("n", 101),)).nudge
    assert bubble is not None and bubble.linger_ms == 8_000


def test_a_long_product_name_is_cut_in_messages() -> None:
    name = "Ultra Trail Running Shoe with Extra Grip and Waterproof Membrane, Men's, Blue"
    events = [page(PRODUCT, 0), product(1, name=name), idle(40)]
    decision = decided(events)
    assert decision.nudge is not None
    assert decision.nudge.message == (
        "Any questions about Ultra Trail Running Shoe with Extra Grip and Waterproof…? "
        "I'm happy to help"
    )
    unbroken = [page(PRODUCT, 0), product(1, name="X" * 100), idle(40)]
    message = decided(unbroken).nudge.message  # type: ignore[union-attr]
    assert message == f"Any questions about {'X' * 59}…? I'm happy to help"


def test_decisions_are_deterministic_and_explain_themselves() -> None:
    state = situation(LOW_STOCK_PAGE, offers=(offer("nudg_1", 0),))
    assert decide(state, EngineSettings()) == decide(replace(state), EngineSettings())
    for now in (30, 90):
        decision = decide(replace(state, now_ms=state.now_ms + now), EngineSettings())
        assert bool(decision.reasons) == (decision.nudge is None)
        assert decision.engine_version == "engine-v1"
