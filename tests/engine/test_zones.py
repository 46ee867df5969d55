"""Quiet-zone globs: the contract's language exactly, checked by example and against a plain
regular-expression translation of the same language."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elnudge.engine import compile_zone, in_quiet_zone


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/account/*", "/account", True),  # `/x/*` also matches `/x`
        ("/account/*", "/account/", True),
        ("/account/*", "/account/orders/42", True),  # `*` crosses `/`
        ("/account/*", "/accountant", False),
        ("/account/*", "/accounts", False),
        ("/x/*", "/x", True),
        ("/x/*", "/xy", False),
        ("/x/**", "/x", True),  # runs of stars are one star
        ("/x", "/x/", False),  # literal: a trailing slash is a different path
        ("/p?ge", "/page", True),  # `?` is exactly one character
        ("/p?ge", "/pge", False),
        ("/p?ge", "/paage", False),
        ("/a?c", "/a/c", True),  # ... any character
        ("/sale[1]", "/sale[1]", True),  # `[` is literal, not a class
        ("/sale[1]", "/sale1", False),
        ("/sale[12]", "/sale2", False),
        ("/a.b", "/axb", False),  # `.` is literal
        ("/a\\b", "/a\\b", True),
        ("/{x}", "/{x}", True),
        ("/Account", "/account", False),  # case-sensitive
        ("/blog/*/comments", "/blog/2026/05/comments", True),
        ("/blog/*/comments", "/blog/comments", False),
        ("*/print", "/orders/7/print", True),
        ("/*-draft", "/-draft", True),
        ("/a*b*c", "/abc", True),
        ("/a*b*c", "/acb", False),
        ("/ab*ba", "/aba", False),  # pieces never overlap
        ("*", "/anything/at/all", True),
        ("", "/", False),
    ],
)
def test_glob_examples(pattern: str, path: str, expected: bool) -> None:
    assert compile_zone(pattern).matches(path) is expected


@pytest.mark.parametrize(
    "path", ["/account/orders?tab=open", "/account/orders#top", "/account/orders?q=1#x"]
)
def test_query_and_fragment_are_ignored(path: str) -> None:
    assert compile_zone("/account/orders").matches(path)
    assert not compile_zone("/account/orders?tab=open").matches(path)  # `?` matches one char
    assert in_quiet_zone(path, ["/blog/*", "/account/*"])


def test_no_patterns_no_zone() -> None:
    assert not in_quiet_zone("/account", [])


def test_each_pattern_is_compiled_once() -> None:
    assert compile_zone("/cached/*") is compile_zone("/cached/*")


def test_a_crafted_pattern_matches_in_linear_pieces() -> None:
    # With one `.*` per star a backtracking regex takes exponential time here; piecewise
    # leftmost matching answers at once (the test would hang, not fail, without it).
    pattern = "/" + "*a" * 40 + "*b"
    assert not compile_zone(pattern).matches("/" + "a" * 2000)
    assert compile_zone(pattern).matches("/" + "a" * 2000 + "b")


def _translate(pattern: str) -> str:
    return "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )


def _reference(pattern: str) -> re.Pattern[str]:
    """The same language as a backtracking regular expression (fine for short strings)."""
    body = _translate(pattern)
    if pattern.endswith("/*"):
        body = f"(?:{body}|{_translate(pattern[:-2])})"
    return re.compile(body, re.DOTALL)


alphabet = st.sampled_from(["/", "a", "b", "[", ".", "?", "*"])
paths = st.text(alphabet=st.sampled_from(["/", "a", "b", "[", "."]), max_size=12).map(
    lambda text: "/" + text
)


@given(pattern=st.text(alphabet=alphabet, max_size=8), path=paths)
def test_matches_the_reference_language(pattern: str, path: str) -> None:
    collapsed = re.sub(r"\*+", "*", pattern)
    assert compile_zone(pattern).matches(path) == bool(_reference(collapsed).fullmatch(path))
