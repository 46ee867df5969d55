"""Quiet zones: glob patterns of page paths where the engine shows nothing, the sticky bar too.

The glob language is the API contract's and nothing more, so a merchant can predict it:
- matched against the path only (the query and fragment are dropped first), case-sensitive;
- `*` matches any run of characters, `/` included; `?` matches exactly one character;
- every other character is literal: `[`, `]`, `{`, `\\` and `.` mean themselves (which is why
  this is not `fnmatch`, where `[` opens a character class);
- a pattern ending in `/*` also matches the path without it: `/account/*` matches `/account`.
  Runs of `*` are one `*`, so `/account/**` behaves the same.

Patterns also come from the storefront's script tag, untrusted. A regular expression with one
`.*` per star can backtrack for a very long time on a crafted pattern, so a pattern is compiled
into its star-free pieces, each a fixed-length expression of literals and `?`, and matched left
to right, each piece at its leftmost place: that is exact for this language and costs at most
(path length × pattern length) steps. Compiling is cached per pattern, so a pattern is compiled
once per process however many decisions use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class _Glob:
    """A pattern without `/*` handling: `pieces` are the parts between stars."""

    pieces: tuple[re.Pattern[str], ...]
    widths: tuple[int, ...]

    def matches(self, path: str) -> bool:
        if len(self.pieces) == 1:
            return self.pieces[0].fullmatch(path) is not None
        first, *middle, last = self.pieces
        if first.match(path) is None:
            return False
        start, end = self.widths[0], len(path) - self.widths[-1]
        if end < start or last.fullmatch(path, end) is None:
            return False
        for piece in middle:
            found = piece.search(path, start, end)
            if found is None:
                return False
            start = found.end()
        return True


def _glob(pattern: str) -> _Glob:
    texts = re.sub(r"\*+", "*", pattern).split("*")
    pieces = tuple(
        re.compile("".join("." if char == "?" else re.escape(char) for char in text), re.DOTALL)
        for text in texts
    )
    return _Glob(pieces, tuple(len(text) for text in texts))


@dataclass(frozen=True, slots=True)
class QuietZone:
    """One compiled pattern."""

    pattern: str
    glob: _Glob
    bare: _Glob | None  # for `/x/*`: the pattern `/x`

    def matches(self, path: str) -> bool:
        """Whether `path` (a path, or a path with its query or fragment) is in this zone."""
        path = page_path(path)
        return self.glob.matches(path) or (self.bare is not None and self.bare.matches(path))


@lru_cache(maxsize=4096)
def compile_zone(pattern: str) -> QuietZone:
    """The compiled form of a quiet-zone pattern; any string is a valid pattern."""
    collapsed = re.sub(r"\*+", "*", pattern)
    bare = _glob(collapsed[:-2]) if collapsed.endswith("/*") else None
    return QuietZone(pattern, _glob(collapsed), bare)


def page_path(url: str) -> str:
    """The path of a path-and-query (or a URL's path with a fragment): what zones look at."""
    return url.split("?", 1)[0].split("#", 1)[0]


def in_quiet_zone(path: str, patterns: Iterable[str]) -> bool:
    """Whether `path` matches any of `patterns`."""
    return any(compile_zone(pattern).matches(path) for pattern in patterns)
