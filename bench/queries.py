"""The exact SQL elNudge sends for a list page (captured from the driver cursor), for the raw
driver floor and the peers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from elnudge.db import Database
from elnudge.sessions import repository


def list_sql(
    database: Database,
    *,
    site_id: str,
    mode: str,
    lower_ms: int,
    upper_ms: int,
    after: tuple[int, str] | None,
    limit: int,
) -> tuple[str, Any]:
    """(sql, params) as elNudge's repository hands them to the driver."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        seen.append((statement, params))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.read() as connection:
            seen.clear()  # drop the BEGIN and anything else before the query
            repository.list_page(
                connection,
                site_id=site_id,
                mode=mode,
                lower_ms=lower_ms,
                upper_ms=upper_ms,
                after=after,
                limit=limit,
            )
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    return seen[-1]
