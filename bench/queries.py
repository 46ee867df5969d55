"""The exact SQL elNudge sends (captured from the driver cursor), for the raw driver floor, the
floor server (bench/floor.py) and the peers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection

from elnudge.db import Database
from elnudge.keys import repository as keys_repository
from elnudge.sessions import repository

# Values no real request has: where one shows up among a captured statement's parameters, the
# floor puts the request's own value; every other parameter is a constant of the statement.
SENTINELS: dict[str, object] = {
    "key_hash": "__bench_key_hash__",
    "site_id": "__bench_site_id__",
    "mode": "__bench_mode__",
    "session_id": "__bench_session_id__",
    "after_id": "__bench_after_id__",
    "lower_ms": 910_000_000_001,
    "upper_ms": 910_000_000_002,
    "after_ms": 910_000_000_003,
    "limit": 910_000_004,
}
_NAME_OF = {value: name for name, value in SENTINELS.items()}


def capture(database: Database, run: Callable[[Connection], object]) -> tuple[str, Any]:
    """(sql, params) of the last statement `run` sends, as elNudge hands it to the driver."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        seen.append((statement, params))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.read() as connection:
            seen.clear()  # drop the BEGIN and anything else before the query
            run(connection)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    return seen[-1]


def list_sql(database: Database, **page: Any) -> tuple[str, Any]:
    """(sql, params) of a list page as elNudge's repository hands them to the driver, for the
    arguments of `repository.list_page` (site_id, mode, lower_ms, upper_ms, after, limit)."""
    return capture(database, lambda connection: repository.list_page(connection, **page))


@dataclass(frozen=True, slots=True)
class Statement:
    """A captured statement whose parameters are filled per request: `slots` name, per driver
    parameter (a position for sqlite3, a name for psycopg), the request value or the constant."""

    sql: str
    slots: tuple[tuple[int | str, str | None, object], ...]  # (slot, variable, constant)
    positional: bool

    def params(self, values: Mapping[str, object]) -> Any:
        """The driver's parameters for a request's `values` (keyed like SENTINELS)."""
        if self.positional:
            return tuple(values[name] if name else constant for _, name, constant in self.slots)
        return {slot: values[name] if name else constant for slot, name, constant in self.slots}


def _template(captured: tuple[str, Any]) -> Statement:
    sql, params = captured
    items = params.items() if isinstance(params, Mapping) else enumerate(params)
    slots = tuple((slot, _NAME_OF.get(value), value) for slot, value in items)
    return Statement(sql, slots, positional=not isinstance(params, Mapping))


def floor_statements(database: Database) -> dict[str, Statement]:
    """Every statement of the four read routes and the key lookup, as elNudge sends them."""
    s: dict[str, Any] = SENTINELS
    common: dict[str, Any] = {"site_id": s["site_id"], "mode": s["mode"]}
    page = {**common, "lower_ms": s["lower_ms"], "upper_ms": s["upper_ms"], "limit": s["limit"]}
    after = (s["after_ms"], s["after_id"])
    session = (s["site_id"], s["session_id"])
    calls: dict[str, Callable[[Connection], object]] = {
        "key": lambda c: keys_repository.find_by_hash(c, s["key_hash"]),
        "first_page": lambda c: repository.list_page(c, **page, after=None),
        "next_page": lambda c: repository.list_page(c, **page, after=after),
        "session": lambda c: repository.get_session(
            c, **common, session_id=s["session_id"], lower_ms=s["lower_ms"]
        ),
        "events": lambda c: repository.session_events(c, *session),
        "nudges": lambda c: repository.session_nudges(c, *session),
    }
    return {name: _template(capture(database, call)) for name, call in calls.items()}
