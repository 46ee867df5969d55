"""Visitor context from the User-Agent header, with the maintained `ua-parser` rules.

Only the parsed families are kept; the raw header and the IP address are never stored.
`ua-parser` runs its rules on the Rust regex engine (`ua-parser-rs`, picked up by itself when
installed): 0.16 ms for 1 KB of junk against 12.8 ms with Python's `re` (measured in the commit
that added it), which matters on an endpoint anyone may call.
"""

from __future__ import annotations

from dataclasses import dataclass

import ua_parser

MAX_LENGTH = 64  # the columns' width
# Longer headers are cut before parsing: real browsers send 100-300 characters.
MAX_USER_AGENT = 512
# Every browser's User-Agent starts with one of these; curl, python-requests, Go-http-client,
# okhttp, axios, … do not. On the relay such a client is not a shopper: flagged like a bot.
BROWSER_PREFIXES = ("Mozilla/", "Opera/")
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
    """Browser, OS and device families of a User-Agent, and whether it is a bot: a crawler, a
    headless browser, or no browser at all (a missing header, curl, an HTTP library)."""
    header = (user_agent or "")[:MAX_USER_AGENT]
    result = ua_parser.parse(header)
    browser = _family(result.user_agent)
    device = _family(result.device)
    is_bot = (
        not header.startswith(BROWSER_PREFIXES)
        or device == SPIDER
        or (
            browser is not None
            and (HEADLESS_MARKER in browser.lower() or browser in AUTOMATION_FAMILIES)
        )
    )
    return VisitorContext(browser=browser, os=_family(result.os), device=device, is_bot=is_bot)
