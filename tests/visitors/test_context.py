"""Visitor context from User-Agent strings (pure; no database)."""

from __future__ import annotations

import pytest
import ua_parser

from elnudge.visitors import visitor_context

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:132.0) Gecko/20100101 Firefox/132.0"


def test_browser_os_and_device() -> None:
    phone = visitor_context(IPHONE)
    assert (phone.browser, phone.os, phone.device, phone.is_bot) == (
        "Mobile Safari",
        "iOS",
        "iPhone",
        False,
    )
    desktop = visitor_context(FIREFOX_MAC)
    assert (desktop.browser, desktop.os, desktop.is_bot) == ("Firefox", "Mac OS X", False)


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) "
        "PhantomJS/2.1.1 Safari/538.1",
    ],
)
def test_bots_and_headless_browsers_are_flagged(user_agent: str) -> None:
    assert visitor_context(user_agent).is_bot


def test_missing_or_huge_headers_are_unknown_not_errors_and_not_shoppers() -> None:
    for user_agent in (None, "", "x" * 100_000, "\x00\xff"):
        context = visitor_context(user_agent)
        assert context.browser is None and context.is_bot  # no browser sends these


@pytest.mark.parametrize(
    "user_agent",
    [
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Go-http-client/2.0",
        "okhttp/4.12.0",
        "axios/1.7.2",
        "python-httpx/0.28.1",
        "Java/21.0.2",
        "Wget/1.21.4",
    ],
)
def test_non_browser_clients_are_flagged(user_agent: str) -> None:
    assert visitor_context(user_agent).is_bot


def test_the_fast_regex_engine_is_the_one_in_use() -> None:
    # ua-parser picks its resolver by what is installed; without ua-parser-rs it falls back
    # to Python's re, 80 times slower on junk headers anyone can send to the relay.
    assert ua_parser.RegexResolver is not None
    assert ua_parser.BestAvailableResolver is ua_parser.RegexResolver
