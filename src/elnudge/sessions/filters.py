"""Filters of the session list that the dashboard offers (converted, minimum intent, with
nudges), and their form inside a signed cursor, so a next page keeps them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from elnudge.errors import InvalidRequest


@dataclass(frozen=True, slots=True)
class SessionFilters:
    converted: bool | None = None
    min_intent: int | None = None  # 0-100
    with_nudges: bool | None = None

    def as_strings(self) -> dict[str, str | None]:
        """The filters as a cursor keeps them (None: not filtered)."""
        return {
            "converted": _flag_text(self.converted),
            "min_intent": None if self.min_intent is None else str(self.min_intent),
            "with_nudges": _flag_text(self.with_nudges),
        }


def _flag_text(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def parse_flag(value: str | None, param: str) -> bool | None:
    """ "true"/"false" (or empty: no filter); anything else is a 400 naming `param`."""
    if value in (None, ""):
        return None
    if value not in ("true", "false"):
        raise InvalidRequest(f"{param} must be true or false.", param=param)
    return value == "true"


def parse_min_intent(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    if not value.isdigit() or not 0 <= int(value) <= 100:
        raise InvalidRequest("min_intent must be a whole number from 0 to 100.", param="min_intent")
    return int(value)


def filters_from(values: Mapping[str, str | None]) -> SessionFilters:
    """Filters from query parameters or a cursor's kept strings; a 400 names a bad one."""
    return SessionFilters(
        converted=parse_flag(values.get("converted"), "converted"),
        min_intent=parse_min_intent(values.get("min_intent")),
        with_nudges=parse_flag(values.get("with_nudges"), "with_nudges"),
    )
