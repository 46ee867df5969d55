"""The nudge engine's flags of `elnudge sites update`: each flag's value as a setting change,
and every setting's error named by the flag that set it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from elnudge.engine import Allowance, ToastPosition
from elnudge.errors import InvalidRequest

# The flag that sets each setting (errors name the flag, not the setting).
FLAGS = {
    "nudges_enabled": "--nudges",
    "quiet_zones": "--quiet-zone",
    "holdout_percent": "--holdout-percent",
    "agent_name": "--agent-name",
    "toast_position": "--toast-position",
    "free_shipping_threshold": "--free-shipping-threshold",
    "free_shipping_currency": "--currency",
    "monthly_sessions": "--monthly-sessions",
}


class OnOff(StrEnum):
    ON = "on"
    OFF = "off"


def changes(
    *,
    quiet_zone: list[str] | None,
    no_quiet_zones: bool,
    holdout_percent: int | None,
    agent_name: str | None,
    toast_position: ToastPosition | None,
    free_shipping_threshold: str | None,
    currency: str | None,
    monthly_sessions: str | None,
    nudges: OnOff | None,
) -> dict[str, Any]:
    """The setting changes the given flags ask for (flags not given change nothing)."""
    given: dict[str, Any] = {
        "quiet_zones": [] if no_quiet_zones else quiet_zone,
        "holdout_percent": holdout_percent,
        "agent_name": agent_name,
        "toast_position": toast_position,
        "free_shipping_currency": currency,
        "monthly_sessions": _allowance(monthly_sessions),
        "nudges_enabled": None if nudges is None else nudges == OnOff.ON,
    }
    changed = {name: value for name, value in given.items() if value is not None}
    if free_shipping_threshold is not None:
        if free_shipping_threshold.strip().lower() == "none":  # both go together
            changed.update(free_shipping_threshold=None, free_shipping_currency=None)
        else:
            changed["free_shipping_threshold"] = free_shipping_threshold
    return changed


def _allowance(value: str | None) -> str | int | None:
    if value is None:
        return None
    if value == "plan":
        return Allowance.PLAN_DEFAULT
    return int(value) if value.isdigit() else value


@contextmanager
def naming_flags() -> Iterator[None]:
    """Re-raise a setting's 400 with the flag that set it in its message."""
    try:
        yield
    except InvalidRequest as error:
        flag = FLAGS.get((error.param or "").split("[")[0].split(".")[0])
        if flag is None:
            raise
        raise InvalidRequest(f"{flag}: {error.message}", param=error.param) from error
