"""Engine settings: defaults, one JSON text, and validation that names the field and applies
all or nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elnudge.engine import (
    Allowance,
    EngineSettings,
    Rule,
    SettingError,
    ToastPosition,
    load_settings,
    parse_settings,
    settings_data,
    settings_json,
    update_settings,
)
from elnudge.engine.thresholds import HOLDOUT_MAX_PERCENT, MAX_QUIET_ZONES


def test_nothing_stored_means_the_defaults() -> None:
    settings = load_settings(None)
    assert settings == EngineSettings() == parse_settings({})
    assert settings.nudges_enabled
    assert settings.quiet_zones == ()
    assert settings.holdout_percent == 10
    assert settings.agent_name == "Maya"
    assert settings.toast_position == ToastPosition.BOTTOM_RIGHT
    assert settings.free_shipping_threshold is None
    assert settings.monthly_sessions == Allowance.PLAN_DEFAULT
    assert dict(settings.messages) == {}


def test_everything_round_trips_through_one_json_text() -> None:
    settings = parse_settings(
        {
            "nudges_enabled": False,
            "quiet_zones": ["/account/*", "/blog/?/draft"],
            "holdout_percent": 25,
            "agent_name": "  Sam ",
            "toast_position": "top-right",
            "free_shipping_threshold": "49.99",
            "free_shipping_currency": "EUR",
            "monthly_sessions": 12_000,
            "messages": {"low_stock": "Hurry: {stock} left", "checkout": "Ask {agent}"},
        }
    )
    text = settings_json(settings)
    assert load_settings(text) == settings
    stored = json.loads(text)
    assert stored["free_shipping_threshold"] == 49.99  # a JSON number, read back exactly
    assert load_settings(text).free_shipping_threshold == Decimal("49.99")
    assert stored["agent_name"] == "Sam"
    assert stored["messages"] == {"checkout": "Ask {agent}", "low_stock": "Hurry: {stock} left"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"holdout_percent": 51}, "holdout_percent", "holdout_percent must be between 0 and 50"),
        ({"holdout_percent": -1}, "holdout_percent", "holdout_percent must be between 0 and 50"),
        ({"holdout_percent": 12.5}, "holdout_percent", "whole number"),
        ({"holdout_percent": True}, "holdout_percent", "whole number"),
        ({"holdout_percent": "10"}, "holdout_percent", "whole number"),
        ({"nudges_enabled": "off"}, "nudges_enabled", "true or false"),
        ({"quiet_zones": "/account/*"}, "quiet_zones", "list"),
        ({"quiet_zones": ["/ok", "account/*"]}, "quiet_zones[1]", "starting with '/'"),
        ({"quiet_zones": ["/a b"]}, "quiet_zones[0]", "no spaces"),
        ({"quiet_zones": ["/page#top"]}, "quiet_zones[0]", "'#'"),
        ({"quiet_zones": ["/x\x00"]}, "quiet_zones[0]", "control"),
        ({"quiet_zones": ["/" + "a" * 200]}, "quiet_zones[0]", "longer than 200"),
        ({"quiet_zones": [f"/{i}" for i in range(MAX_QUIET_ZONES + 1)]}, "quiet_zones", "at most"),
        ({"agent_name": ""}, "agent_name", "non-empty"),
        ({"agent_name": "M" * 41}, "agent_name", "at most 40"),
        ({"agent_name": "Ma\nya"}, "agent_name", "printable"),
        ({"toast_position": "bottom-left"}, "toast_position", "bottom-right or top-right"),
        (
            {"free_shipping_threshold": -5, "free_shipping_currency": "USD"},
            "free_shipping_threshold",
            "greater than 0",
        ),
        (
            {"free_shipping_threshold": 0, "free_shipping_currency": "USD"},
            "free_shipping_threshold",
            "greater than 0",
        ),
        (
            {"free_shipping_threshold": "NaN", "free_shipping_currency": "USD"},
            "free_shipping_threshold",
            "amount",
        ),
        (
            {"free_shipping_threshold": "fifty", "free_shipping_currency": "USD"},
            "free_shipping_threshold",
            "amount",
        ),
        (
            {"free_shipping_threshold": 50, "free_shipping_currency": "usd"},
            "free_shipping_currency",
            "ISO 4217",
        ),
        (
            {"free_shipping_threshold": 50, "free_shipping_currency": "ABC"},
            "free_shipping_currency",
            "ISO 4217",
        ),
        ({"free_shipping_threshold": 50}, "free_shipping_currency", "required"),
        ({"free_shipping_currency": "USD"}, "free_shipping_threshold", "required"),
        (
            {"free_shipping_threshold": "4999.5", "free_shipping_currency": "JPY"},
            "free_shipping_threshold",
            "0 decimal places for JPY",
        ),
        (
            {"free_shipping_threshold": 10.001, "free_shipping_currency": "USD"},
            "free_shipping_threshold",
            "2 decimal places",
        ),
        ({"monthly_sessions": -1}, "monthly_sessions", "'plan_default' or 'unlimited'"),
        ({"monthly_sessions": "lots"}, "monthly_sessions", "'plan_default' or 'unlimited'"),
        ({"messages": ["hi"]}, "messages", "object"),
        ({"messages": {"low_stok": "hi"}}, "messages.low_stok", "unknown rule"),
        ({"messages": {"low_stock": "{price} off"}}, "messages.low_stock", "{price}"),
        ({"messages": {"low_stock": "{stock!r} left"}}, "messages.low_stock", "no format"),
        ({"messages": {"low_stock": "50% {off"}}, "messages.low_stock", "literal brace"),
        ({"messages": {"low_stock": " "}}, "messages.low_stock", "non-empty"),
        ({"messages": {"low_stock": "x" * 281}}, "messages.low_stock", "at most 280"),
        ({"holdout": 10}, "holdout", "unknown setting"),
    ],
)
def test_a_bad_value_names_its_field(data: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(SettingError) as raised:
        parse_settings(data)
    assert raised.value.field == field
    assert message in raised.value.message


def test_holdout_bounds_are_allowed() -> None:
    assert parse_settings({"holdout_percent": 0}).holdout_percent == 0
    assert parse_settings({"holdout_percent": HOLDOUT_MAX_PERCENT}).holdout_percent == 50
    assert parse_settings({"holdout_percent": 20.0}).holdout_percent == 20  # JSON's 20.0


def test_the_allowance_says_where_it_comes_from() -> None:
    assert parse_settings({"monthly_sessions": "unlimited"}).monthly_sessions == "unlimited"
    assert parse_settings({"monthly_sessions": "plan_default"}).monthly_sessions == (
        Allowance.PLAN_DEFAULT
    )
    assert parse_settings({"monthly_sessions": 0}).monthly_sessions == 0


def test_updates_apply_all_or_nothing() -> None:
    settings = parse_settings({"holdout_percent": 20, "agent_name": "Sam"})
    with pytest.raises(SettingError) as raised:
        update_settings(settings, {"agent_name": "Alex", "holdout_percent": 99})
    assert raised.value.field == "holdout_percent"
    assert settings.agent_name == "Sam"  # nothing of the failed update reached it
    updated = update_settings(settings, {"agent_name": "Alex"})
    assert (updated.agent_name, updated.holdout_percent) == ("Alex", 20)


def test_clearing_free_shipping_takes_both_fields() -> None:
    settings = parse_settings({"free_shipping_threshold": 50, "free_shipping_currency": "USD"})
    cleared = update_settings(
        settings, {"free_shipping_threshold": None, "free_shipping_currency": None}
    )
    assert cleared.free_shipping_threshold is None
    with pytest.raises(SettingError):
        update_settings(settings, {"free_shipping_threshold": None})


def test_repeated_quiet_zones_are_kept_once() -> None:
    settings = parse_settings({"quiet_zones": ["/a/*", "/b", "/a/*"]})
    assert settings.quiet_zones == ("/a/*", "/b")


def test_settings_cannot_be_changed_in_place() -> None:
    settings = parse_settings({"messages": {"low_stock": "Only {stock}"}})
    with pytest.raises(TypeError):
        settings.messages[Rule.CHECKOUT] = "x"  # type: ignore[index]


def test_settings_must_be_an_object() -> None:
    with pytest.raises(SettingError):
        parse_settings(["holdout_percent"])  # type: ignore[arg-type]


templates = st.sampled_from(["Only {stock} left", "Hi from {agent}", "{viewers} looking", "ok"])
valid_settings = st.fixed_dictionaries(
    {},
    optional={
        "nudges_enabled": st.booleans(),
        "quiet_zones": st.lists(st.sampled_from(["/a/*", "/b?", "/c[1]", "/*.pdf"]), max_size=4),
        "holdout_percent": st.integers(0, 50),
        "agent_name": st.sampled_from(["Maya", "Sam", "Zoë"]),
        "toast_position": st.sampled_from([p.value for p in ToastPosition]),
        "monthly_sessions": st.one_of(
            st.integers(0, 10**9), st.sampled_from([a.value for a in Allowance])
        ),
        "messages": st.dictionaries(st.sampled_from([r.value for r in Rule]), templates),
    },
)
thresholds = st.one_of(
    st.none(),
    st.tuples(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**9), places=2),
        st.sampled_from(["USD", "EUR", "GBP"]),
    ),
    st.tuples(st.integers(1, 10**9).map(Decimal), st.just("JPY")),
    st.tuples(
        st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3),
        st.just("KWD"),
    ),
)


@given(data=valid_settings, threshold=thresholds)
def test_any_valid_settings_survive_storage(
    data: dict[str, Any], threshold: tuple[Decimal, str] | None
) -> None:
    if threshold is not None:
        data = {**data, "free_shipping_threshold": str(threshold[0])}
        data["free_shipping_currency"] = threshold[1]
    settings = parse_settings(data)
    assert load_settings(settings_json(settings)) == settings
    assert parse_settings(settings_data(settings)) == settings
    assert settings_json(load_settings(settings_json(settings))) == settings_json(settings)
