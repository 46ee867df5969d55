"""A site's engine settings: one frozen value, stored as one JSON text, validated as a whole.

`parse_settings` builds settings from a mapping (stored JSON, a CLI call, an API body) or raises
`SettingError` naming the first field at fault; there is no partial result, so a bad value can
never be half-applied. Missing fields take their defaults. `update_settings` applies changes to
existing settings the same way: all of them or none.

The monthly allowance is explicit about where it comes from: `"plan_default"` (the plan's
number, which follows the plan when it changes), `"unlimited"`, or a number of sessions that
overrides the plan (any plan: the operator of a self-hosted server decides).
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Final

from elnudge.engine.currencies import is_currency, minor_units
from elnudge.engine.messages import TemplateError, template_fields
from elnudge.engine.thresholds import (
    DEFAULT_AGENT_NAME,
    DEFAULT_TOAST_POSITION,
    HOLDOUT_DEFAULT_PERCENT,
    HOLDOUT_MAX_PERCENT,
    MAX_AGENT_NAME_LENGTH,
    MAX_FREE_SHIPPING_THRESHOLD,
    MAX_MESSAGE_LENGTH,
    MAX_MONTHLY_SESSIONS,
    MAX_QUIET_ZONE_LENGTH,
    MAX_QUIET_ZONES,
    Allowance,
    Rule,
    ToastPosition,
)

_NO_MESSAGES: Final[Mapping[Rule, str]] = MappingProxyType({})


class SettingError(ValueError):
    """One setting is wrong; `field` names it (`holdout_percent`, `quiet_zones[2]`,
    `messages.low_stock`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class EngineSettings:
    nudges_enabled: bool = True
    quiet_zones: tuple[str, ...] = ()  # empty: the script tag's zones apply, if any
    holdout_percent: int = HOLDOUT_DEFAULT_PERCENT
    agent_name: str = DEFAULT_AGENT_NAME
    toast_position: ToastPosition = DEFAULT_TOAST_POSITION
    free_shipping_threshold: Decimal | None = None  # in the currency's major unit
    free_shipping_currency: str | None = None  # set exactly when the threshold is
    monthly_sessions: int | Allowance = Allowance.PLAN_DEFAULT
    messages: Mapping[Rule, str] = field(default_factory=lambda: _NO_MESSAGES)  # overrides


SETTING_NAMES: Final = tuple(f.name for f in fields(EngineSettings))


def parse_settings(data: Mapping[str, Any]) -> EngineSettings:
    """Validated settings from `data` (missing fields: defaults), or a SettingError."""
    if not isinstance(data, Mapping):
        raise SettingError("", "settings must be an object")
    unknown = sorted(set(data) - set(SETTING_NAMES), key=str)
    if unknown:
        known = ", ".join(SETTING_NAMES)
        raise SettingError(str(unknown[0]), f"unknown setting {unknown[0]!r}; settings: {known}")
    values = {name: _PARSERS[name](data[name], name) for name in SETTING_NAMES if name in data}
    settings = EngineSettings(**values)
    _check_free_shipping(settings)
    return settings


def update_settings(settings: EngineSettings, changes: Mapping[str, Any]) -> EngineSettings:
    """`settings` with `changes` applied, all validated together, or a SettingError."""
    return parse_settings({**settings_data(settings), **changes})


def settings_data(settings: EngineSettings) -> dict[str, Any]:
    """The settings as JSON-ready data; `parse_settings` reads it back to equal settings."""
    data = {name: getattr(settings, name) for name in SETTING_NAMES}
    data["quiet_zones"] = list(settings.quiet_zones)
    data["messages"] = {str(rule): text for rule, text in sorted(settings.messages.items())}
    threshold = settings.free_shipping_threshold
    data["free_shipping_threshold"] = None if threshold is None else _json_number(threshold)
    return data


def settings_json(settings: EngineSettings) -> str:
    """The settings as one JSON text (keys sorted, so equal settings give equal text)."""
    return json.dumps(settings_data(settings), sort_keys=True, ensure_ascii=False)


def load_settings(text: str | None) -> EngineSettings:
    """Settings stored by `settings_json`; nothing stored means the defaults."""
    return parse_settings(json.loads(text)) if text else EngineSettings()


# -- one parser per field: each returns the clean value or raises SettingError -----------------


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise SettingError(name, f"{name} must be true or false")
    return value


def _quiet_zones(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise SettingError(name, f"{name} must be a list of path patterns")
    if len(value) > MAX_QUIET_ZONES:
        raise SettingError(name, f"{name} may hold at most {MAX_QUIET_ZONES} patterns")
    patterns = [_quiet_zone(pattern, f"{name}[{index}]") for index, pattern in enumerate(value)]
    return tuple(dict.fromkeys(patterns))  # a repeated pattern once, in first-seen order


def _quiet_zone(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise SettingError(
            name, f"{name} must be a path pattern starting with '/', like /account/*"
        )
    if len(value) > MAX_QUIET_ZONE_LENGTH:
        raise SettingError(name, f"{name} is longer than {MAX_QUIET_ZONE_LENGTH} characters")
    if "#" in value or any(char.isspace() or _is_control(char) for char in value):
        raise SettingError(
            name, f"{name} must be a path: no spaces, control characters or '#' (never matched)"
        )
    return value


def _holdout(value: Any, name: str) -> int:
    number = _whole_number(value)
    if number is None:
        raise SettingError(name, f"{name} must be a whole number of percent")
    if not 0 <= number <= HOLDOUT_MAX_PERCENT:
        raise SettingError(name, f"{name} must be between 0 and {HOLDOUT_MAX_PERCENT}")
    return number


def _agent_name(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingError(name, f"{name} must be a non-empty name")
    if len(value) > MAX_AGENT_NAME_LENGTH or any(_is_control(char) for char in value):
        raise SettingError(
            name, f"{name} must be at most {MAX_AGENT_NAME_LENGTH} printable characters"
        )
    return value.strip()


def _toast_position(value: Any, name: str) -> ToastPosition:
    if value not in tuple(ToastPosition):
        listed = " or ".join(position.value for position in ToastPosition)
        raise SettingError(name, f"{name} must be {listed}")
    return ToastPosition(value)


def _threshold(value: Any, name: str) -> Decimal | None:
    if value is None:
        return None
    amount = _decimal(value)
    if amount is None:
        raise SettingError(name, f"{name} must be an amount such as 50 or 49.99")
    if not 0 < amount <= MAX_FREE_SHIPPING_THRESHOLD:
        raise SettingError(
            name, f"{name} must be greater than 0 and at most {MAX_FREE_SHIPPING_THRESHOLD:,}"
        )
    return amount


def _currency(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not is_currency(value):
        raise SettingError(name, f"{name} must be an ISO 4217 currency code such as 'USD'")
    return str(value)


def _allowance(value: Any, name: str) -> int | Allowance:
    if isinstance(value, str) and value in tuple(Allowance):
        return Allowance(value)
    number = _whole_number(value)
    if number is None or not 0 <= number <= MAX_MONTHLY_SESSIONS:
        choices = " or ".join(repr(choice.value) for choice in Allowance)
        raise SettingError(
            name,
            f"{name} must be {choices}, or a number of sessions from 0 to {MAX_MONTHLY_SESSIONS:,}",
        )
    return number


def _messages(value: Any, name: str) -> Mapping[Rule, str]:
    if not isinstance(value, Mapping):
        raise SettingError(name, f"{name} must be an object of rule name to message")
    return MappingProxyType(
        {_rule(key, name): _message(text, f"{name}.{key}") for key, text in value.items()}
    )


def _rule(key: Any, name: str) -> Rule:
    if key not in tuple(Rule):
        rules = ", ".join(rule.value for rule in Rule)
        raise SettingError(f"{name}.{key}", f"{name}.{key}: unknown rule; rules: {rules}")
    return Rule(key)


def _message(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingError(name, f"{name} must be a non-empty message")
    if len(value) > MAX_MESSAGE_LENGTH or any(_is_control(char) for char in value):
        raise SettingError(
            name, f"{name} must be at most {MAX_MESSAGE_LENGTH} printable characters"
        )
    try:
        template_fields(value)
    except TemplateError as error:
        raise SettingError(name, f"{name}: {error}") from error
    return value


_PARSERS: Final[dict[str, Callable[[Any, str], Any]]] = {
    "nudges_enabled": _flag,
    "quiet_zones": _quiet_zones,
    "holdout_percent": _holdout,
    "agent_name": _agent_name,
    "toast_position": _toast_position,
    "free_shipping_threshold": _threshold,
    "free_shipping_currency": _currency,
    "monthly_sessions": _allowance,
    "messages": _messages,
}


def _check_free_shipping(settings: EngineSettings) -> None:
    threshold, currency = settings.free_shipping_threshold, settings.free_shipping_currency
    if threshold is not None and currency is None:
        raise SettingError(
            "free_shipping_currency", "free_shipping_currency is required with a threshold"
        )
    if currency is not None and threshold is None:
        raise SettingError(
            "free_shipping_threshold", "free_shipping_threshold is required with a currency"
        )
    if threshold is not None and currency is not None:
        places = minor_units(currency)
        if threshold != threshold.quantize(Decimal(1).scaleb(-places)):
            raise SettingError(
                "free_shipping_threshold",
                f"free_shipping_threshold has more than {places} decimal places for {currency}",
            )


# -- small readers -------------------------------------------------------------------------------


def _whole_number(value: Any) -> int | None:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _decimal(value: Any) -> Decimal | None:
    """A finite amount from a JSON number or a decimal string, as written."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _json_number(amount: Decimal) -> int | float:
    """A threshold as a JSON number that reads back to the same decimal (at most 14
    significant digits, so a float's shortest form is exact)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")
