"""Simulated shoppers and the real engine: nudges decided by `decide`, the holdout by the
engine's hash, reactions with the documented probabilities, and the documented lift."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from elnudge.engine import (
    ENGINE_VERSION,
    EngineSettings,
    in_quiet_zone,
    is_held_out,
    is_proactive,
    parse_settings,
    visitor_key,
)
from elnudge.engine.thresholds import (
    DISMISSALS_TO_SILENCE,
    PROACTIVE_COOLDOWN_MS,
    PROACTIVE_PER_SESSION,
    Rule,
)
from elnudge.scoring.model import RunningScore, score_history
from elnudge.sessions.sessionize import INACTIVITY_MS
from elnudge.simulate import SimulatedSession, simulate_sessions
from elnudge.simulate.decisions import SimulatedSite
from elnudge.simulate.evaluate import to_event
from elnudge.simulate.lift import EXPECTED_LIFT, experiment_arms
from elnudge.simulate.lift import main as lift_main
from elnudge.simulate.reactions import REACTIONS, RESCUE, Reaction
from elnudge.vocabulary import Event, EventType, NudgeType

START = datetime(2026, 3, 2, tzinfo=UTC)
SITE_ID = "site_sim_test"
SETTINGS = parse_settings(
    {
        "holdout_percent": 30,
        "free_shipping_threshold": 150,
        "free_shipping_currency": "USD",
        "quiet_zones": ["/account/*"],
    }
)


def simulate(seed: int, days: int, settings: EngineSettings = SETTINGS) -> list[SimulatedSession]:
    site = SimulatedSite(SITE_ID, settings)
    return list(
        simulate_sessions(seed=seed, start=START, days=days, sessions_per_day=300, site=site)
    )


@pytest.fixture(scope="module")
def sessions() -> list[SimulatedSession]:
    return simulate(seed=31, days=8)


def millis(ts: str) -> int:
    return int(datetime.fromisoformat(ts).timestamp() * 1000 + 0.5)


def test_every_shown_nudge_is_an_offer_the_engine_made_to_a_treated_shopper(
    sessions: list[SimulatedSession],
) -> None:
    for session in sessions:
        offers = {o.nudge_id: o for o in session.offers}
        shown = {e["data"]["nudge_id"] for e in session.events if e["event"] == "NUDGE_SHOWN"}
        assert shown <= set(offers)
        for offer in offers.values():
            assert offer.engine_version == ENGINE_VERSION
            assert (offer.nudge_id in shown) == (not offer.held_out)
            assert Rule(offer.rule) and NudgeType(offer.type)


def test_the_holdout_is_the_engine_s_stable_hash_of_the_visitor(
    sessions: list[SimulatedSession],
) -> None:
    arms: Counter[bool] = Counter()
    for session in sessions:
        key = visitor_key(session.visitor_id, session.client_session_key)
        expected = is_held_out(SITE_ID, key, SETTINGS.holdout_percent)
        assert {o.held_out for o in session.offers} <= {expected}
        arms[expected] += 1
    share = arms[True] / len(sessions)
    assert abs(share - 0.3) < 0.04  # visitors, not sessions, are hashed: returning ones weigh more


def test_the_engine_s_rules_hold_for_every_simulated_session(
    sessions: list[SimulatedSession],
) -> None:
    """Each server session (split on 30 minutes without events) gets at most 3 proactive
    offers, 60 s apart, none after 2 dismissals or a purchase, none in the quiet zone."""
    checked = 0
    for session in sessions:
        offers = sorted(session.offers, key=lambda o: o.offered_at)
        for part in _server_sessions(session):
            first, last = millis(part[0]["ts"]), millis(part[-1]["ts"])
            mine = [o for o in offers if first <= o.session_event_ms <= last]
            proactive = [o for o in mine if is_proactive(o.type)]
            assert len(proactive) <= PROACTIVE_PER_SESSION
            for a, b in pairwise(proactive):
                assert b.offered_at - a.offered_at >= PROACTIVE_COOLDOWN_MS
            for offer in proactive:
                before = [e for e in part if millis(e["ts"]) <= offer.offered_at]
                proactive_ids = {o.nudge_id for o in proactive}
                dismissed = {
                    e["data"]["nudge_id"]
                    for e in before
                    if e["event"] == "NUDGE_DISMISSED" and e["data"]["nudge_id"] in proactive_ids
                }
                assert len(dismissed) < DISMISSALS_TO_SILENCE
                assert all(e["event"] != "PURCHASE" for e in before)
                pages = [e for e in before if e["event"] == "PAGE_VIEW"]
                if pages:
                    path = pages[-1]["url"].split("demo-shop.example", 1)[1].split("?")[0]
                    assert not in_quiet_zone(path.split("#")[0], SETTINGS.quiet_zones)
            checked += len(mine)
    assert checked > 1000


def _server_sessions(session: SimulatedSession) -> list[list[dict[str, Any]]]:
    parts: list[list[dict[str, Any]]] = []
    for envelope in session.events:
        ts = millis(envelope["ts"])
        if not parts or ts - millis(parts[-1][-1]["ts"]) > INACTIVITY_MS:
            parts.append([])
        parts[-1].append(envelope)
    return parts


def test_every_type_is_offered_by_its_triggers_and_held_out_too(
    sessions: list[SimulatedSession],
) -> None:
    offered = Counter((o.rule, o.held_out) for s in sessions for o in s.offers)
    for rule in set(Rule) - {Rule.POPULAR_PRODUCT}:  # popular: see docs/simulator.md
        assert offered[(rule.value, False)] > 0, rule
    for kind in NudgeType:
        assert any(o.type == kind and o.held_out for s in sessions for o in s.offers), kind


def test_reactions_follow_the_documented_probabilities(sessions: list[SimulatedSession]) -> None:
    seen: dict[NudgeType, Counter[Reaction]] = defaultdict(Counter)
    for session in sessions:
        for _, kind, reaction in session.reactions:
            seen[kind][reaction] += 1
    for kind, row in REACTIONS.items():
        assert math.isclose(sum(row.values()), 1.0)
        total = sum(seen[kind].values())
        assert total >= 80, kind
        for reaction, p in row.items():
            # within 4 standard errors of the documented probability
            assert abs(seen[kind][reaction] / total - p) <= 4 * math.sqrt(p * (1 - p) / total)


def test_reactions_are_reported_as_the_widget_reports_them(
    sessions: list[SimulatedSession],
) -> None:
    for session in sessions:
        reported: dict[str, list[str]] = defaultdict(list)
        for envelope in session.events:
            if envelope["event"] in {"NUDGE_CLICKED", "NUDGE_DISMISSED", "NUDGE_CHAT_OPENED"}:
                reported[envelope["data"]["nudge_id"]].append(envelope["event"])
        for nudge_id, kind, reaction in session.reactions:
            expected = {
                Reaction.IGNORE: [],
                Reaction.DISMISS: ["NUDGE_DISMISSED"],
                Reaction.CLICK: ["NUDGE_CLICKED"],
                Reaction.OPEN_CHAT: ["NUDGE_CLICKED", "NUDGE_CHAT_OPENED"],
            }[reaction]
            assert reported[nudge_id] == expected, (kind, reaction)


def test_idle_spells_are_reported_as_the_sdk_does(sessions: list[SimulatedSession]) -> None:
    idle = [e for s in sessions for e in s.events if e["event"] == EventType.IDLE]
    assert len(idle) > 500
    assert all(e["data"] == {"seconds": 30} for e in idle)
    views = [e for s in sessions for e in s.events if e["event"] == EventType.PRODUCT_VIEW]
    assert all({"product_name", "price", "currency", "stock"} <= set(e["data"]) for e in views)


def test_held_out_shoppers_get_no_effect() -> None:
    """With no rescue at all, the two arms convert alike; with the documented rescue, the
    treatment converts more: the effect comes from nudges, not from the arms' make-up."""
    everyone = simulate(seed=5, days=20, settings=parse_settings({"holdout_percent": 50}))
    treatment, holdout = experiment_arms(everyone)
    assert treatment.conversion_rate > holdout.conversion_rate
    assert all(RESCUE[r] == 0 for r in (Reaction.IGNORE, Reaction.DISMISS))
    for session in everyone:
        if any(o.held_out for o in session.offers):
            assert session.reactions == ()


def test_the_lift_is_the_documented_one_within_noise() -> None:
    """Over 12,000 sessions with half the visitors held out, the relative lift is
    `EXPECTED_LIFT` (docs/simulator.md) within three standard errors of its logarithm."""
    treatment, holdout = experiment_arms(
        simulate(seed=20_261_202, days=40, settings=parse_settings({"holdout_percent": 50}))
    )
    ratio = treatment.conversion_rate / holdout.conversion_rate
    se = math.sqrt(
        1 / treatment.conversions
        - 1 / treatment.sessions
        + 1 / holdout.conversions
        - 1 / holdout.sessions
    )
    assert abs(math.log(ratio) - math.log1p(EXPECTED_LIFT)) < 3 * se
    assert ratio - 1 > 0.2  # and clearly positive


def test_the_running_score_equals_the_score_history() -> None:
    events = [
        event
        for session in simulate(seed=3, days=1, settings=EngineSettings())[:40]
        for event in _events(session)
    ]
    running = RunningScore()
    scores = [running.add(events[i : i + 3]) for i in range(0, len(events), 3)]
    history = score_history(events)
    assert scores == [history[min(i + 2, len(events) - 1)] for i in range(0, len(events), 3)]
    assert RunningScore().add([]) == 0


def _events(session: SimulatedSession) -> list[Event]:
    return [to_event(e) for e in session.events]


def test_the_docs_state_the_probabilities_and_the_effect_the_code_uses() -> None:
    text = (Path(__file__).parents[2] / "docs" / "simulator.md").read_text()
    for kind, row in REACTIONS.items():
        cells = " | ".join(f"{round(p * 100)}%" for p in row.values())
        assert f"| {kind.value} | {cells} |" in text, kind
    assert list(REACTIONS[NudgeType.TOAST]) == list(Reaction)  # the table's column order
    for reaction, chance in RESCUE.items():
        shown = f"{round(chance * 100)}%" if chance else "0"
        assert f"| {reaction.value.replace('_', ' ')} | {shown} |" in text, reaction
    assert f"**{EXPECTED_LIFT:+.0%}**" in text


def test_the_lift_command_prints_both_arms_and_the_lift(capsys: pytest.CaptureFixture[str]) -> None:
    assert lift_main(["--days", "3", "--per-day", "200", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("treatment ") and "\nholdout " in out
    assert "relative lift " in out and f"(expected {EXPECTED_LIFT:+.0%})" in out


def test_the_lift_command_says_when_the_lift_is_undefined(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert lift_main(["--days", "1", "--per-day", "30", "--holdout-percent", "0"]) == 0
    assert "relative lift undefined" in capsys.readouterr().out
