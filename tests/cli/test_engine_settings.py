"""`elnudge sites update` with the nudge engine's flags, and `elnudge sites show --json`."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from typer.testing import CliRunner, Result

from elnudge.cli.main import app
from elnudge.provisioning import CreatedSite


def _run(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"ELNUDGE_DATABASE_URL": database_url})


def _show(database_url: str, site_id: str) -> dict[str, Any]:
    result = _run(database_url, "sites", "show", site_id, "--json")
    assert result.exit_code == 0, result.output
    shown: dict[str, Any] = orjson.loads(result.stdout)
    return shown


def test_every_engine_flag_is_stored_and_shown(database_url: str, site: CreatedSite) -> None:
    result = _run(
        database_url,
        "sites",
        "update",
        site.site_id,
        "--quiet-zone",
        "/account/*",
        "--quiet-zone",
        "/checkout/payment",
        "--holdout-percent",
        "20",
        "--agent-name",
        "Sam",
        "--toast-position",
        "top-right",
        "--free-shipping-threshold",
        "75",
        "--currency",
        "EUR",
        "--monthly-sessions",
        "1200",
        "--nudges",
        "off",
    )
    assert result.exit_code == 0, result.output
    shown = _show(database_url, site.site_id)
    engine = shown["engine"]
    assert engine["quiet_zones"] == ["/account/*", "/checkout/payment"]
    assert (engine["holdout_percent"], engine["agent_name"]) == (20, "Sam")
    assert engine["toast_position"] == "top-right"
    assert (engine["free_shipping_threshold"], engine["free_shipping_currency"]) == (75, "EUR")
    assert (engine["monthly_sessions"], engine["nudges_enabled"]) == (1200, False)
    assert (
        shown["usage"]
        == {
            "month": "2026-12",
            "sessions": 0,
            "allowance": 1200,
            "reached_80_at": None,
            "reached_100_at": None,
        }
        or shown["usage"]["allowance"] == 1200
    )


def test_settings_can_be_dropped_and_the_plan_default_restored(
    database_url: str, site: CreatedSite
) -> None:
    _run(
        database_url,
        "sites",
        "update",
        site.site_id,
        "--quiet-zone",
        "/a",
        "--monthly-sessions",
        "5",
    )
    assert _run(database_url, "sites", "update", site.site_id, "--no-quiet-zones").exit_code == 0
    assert (
        _run(database_url, "sites", "update", site.site_id, "--monthly-sessions", "plan").exit_code
        == 0
    )
    shown = _show(database_url, site.site_id)
    assert shown["engine"]["quiet_zones"] == []
    assert shown["engine"]["monthly_sessions"] == "plan_default"
    assert shown["usage"]["allowance"] == 5_000  # the starter plan's


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--holdout-percent", "51"], "--holdout-percent"),
        (["--toast-position", "left"], "--toast-position"),
        (["--free-shipping-threshold", "50"], "--currency"),
        (["--free-shipping-threshold", "-3", "--currency", "USD"], "--free-shipping-threshold"),
        (["--currency", "usd", "--free-shipping-threshold", "5"], "--currency"),
        (["--quiet-zone", "no-slash"], "--quiet-zone"),
        (["--monthly-sessions", "lots"], "--monthly-sessions"),
        (["--agent-name", ""], "--agent-name"),
    ],
)
def test_a_bad_value_names_its_flag_and_changes_nothing(
    database_url: str, site: CreatedSite, flags: list[str], named: str
) -> None:
    before = _show(database_url, site.site_id)
    result = _run(database_url, "sites", "update", site.site_id, "--plan", "scale", *flags)
    assert result.exit_code != 0
    assert named in result.output
    assert _show(database_url, site.site_id) == before  # the plan did not change either
