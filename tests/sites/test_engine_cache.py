"""`site_engine` is cached by the stored settings' text and the plan, never stale."""

from __future__ import annotations

from elnudge.engine import parse_settings, settings_json
from elnudge.sites.engine import site_engine


def test_the_same_text_and_plan_give_the_same_parsed_engine() -> None:
    stored = settings_json(parse_settings({"holdout_percent": 25}))
    assert site_engine(stored, "growth") is site_engine(stored, "growth")
    assert site_engine(stored, "growth").settings.holdout_percent == 25


def test_other_text_or_plan_gives_its_own_engine() -> None:
    off = settings_json(parse_settings({"nudges_enabled": False}))
    assert site_engine(off, "growth").settings.nudges_enabled is False
    assert site_engine(None, "growth").settings.nudges_enabled is True
    assert site_engine(None, "starter").allowance == 5_000
    assert site_engine(None, "growth").allowance == 25_000
