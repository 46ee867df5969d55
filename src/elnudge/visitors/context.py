"""Visitor context from the User-Agent header, with the maintained `ua-parser` rules.

Only the parsed families are kept; the raw header and the IP address are never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import ua_parser

MAX_LENGTH = 64  # the columns' width
MAX_USER_AGENT = 1024  # longer headers are cut before parsing: no regex runs on megabytes
# ua-parser files crawlers under the device family "Spider".
SPIDER = "Spider"
# ua-parser names headless builds as their own browser families (HeadlessChrome, …).
HEADLESS_MARKER = "headless"
AUTOMATION_FAMILIES = frozenset({"PhantomJS"})


@dataclass(frozen=True, slots=True)
class VisitorContext:
    """What a session keeps about its visitor's software; None where unknown."""

    browser: str | None
    os: str | None
    device: str | None
    is_bot: bool


def _family(value: object) -> str | None:
    family = getattr(value, "family", None)
    if not isinstance(family, str) or not family or family == "Other":
        return None
    return family[:MAX_LENGTH]


def visitor_context(user_agent: str | None) -> VisitorContext:
    """Browser, OS and device families of a User-Agent, and whether it is a bot or headless."""
    result = ua_parser.parse((user_agent or "")[:MAX_USER_AGENT])
    browser = _family(result.user_agent)
    device = _family(result.device)
    is_bot = device == SPIDER or (
        browser is not None
        and (HEADLESS_MARKER in browser.lower() or browser in AUTOMATION_FAMILIES)
    )
    return VisitorContext(browser=browser, os=_family(result.os), device=device, is_bot=is_bot)
