"""A pytest plugin (enabled for the whole suite in pyproject.toml): every SQL statement that
elNudge's own code runs against a tenant table (sessions, events, nudges, conversations and
their messages) must filter on site_id.

Statements are recorded through SQLAlchemy's `before_cursor_execute` on every engine and
attributed by the call stack: those issued from `src/elnudge` are audited, a test's own
inspection queries are not. A violation fails the test during which it ran.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

import elnudge

PACKAGE = str(Path(elnudge.__file__).parent)
TENANT_TABLE = re.compile(
    r"\b(?:FROM|JOIN|UPDATE|INTO|COPY)\s+\"?"
    r"(sessions|events|nudges|conversations|conversation_messages)\b",
    re.I,
)
SITE_FILTER = re.compile(r"\bsite_id\"?\s*(?:=|IN\b)", re.I)
# Deliberate exceptions (statement prefixes) and why. None today: the key lookup by hash reads
# api_keys, which is not a tenant table (the key is how the site is found).
EXCEPTIONS: dict[str, str] = {}

_violations: list[str] = []


def _issued_by_elnudge() -> bool:
    """True when the nearest frame outside SQLAlchemy belongs to the elnudge package."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if "sqlalchemy" not in filename:
            return filename.startswith(PACKAGE)
        frame = frame.f_back  # type: ignore[assignment]
    return False


def violates(statement: str) -> bool:
    """A statement on a tenant table that does not name the site."""
    if not TENANT_TABLE.search(statement):
        return False
    if any(statement.lstrip().startswith(prefix) for prefix in EXCEPTIONS):
        return False
    if statement.lstrip().upper().startswith(("INSERT", "COPY")):  # rows name their site
        return "site_id" not in statement
    return not SITE_FILTER.search(statement)


def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if violates(statement) and _issued_by_elnudge():
        _violations.append(statement)


def pytest_configure(config: pytest.Config) -> None:
    event.listen(Engine, "before_cursor_execute", _record)


def pytest_unconfigure(config: pytest.Config) -> None:
    if event.contains(Engine, "before_cursor_execute", _record):
        event.remove(Engine, "before_cursor_execute", _record)


@pytest.fixture(autouse=True)
def _tenant_sql_audit() -> Iterator[None]:
    start = len(_violations)
    yield
    found = _violations[start:]
    if found:
        listed = "\n".join(found[:5])
        pytest.fail(f"SQL on a tenant table without a site_id filter:\n{listed}", pytrace=False)
