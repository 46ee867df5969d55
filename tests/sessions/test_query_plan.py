"""The list query is one range scan of ix_sessions_list, in index order, on every page."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from elnudge.db import Database
from elnudge.sessions import repository


def captured_list_queries(database: Database) -> list[tuple[str, Any]]:
    statements: list[tuple[str, Any]] = []

    def capture(_c: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        statements.append((statement, params))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.read() as connection:
            page: dict[str, Any] = {
                "site_id": "site_x",
                "mode": "live",
                "lower_ms": 0,
                "upper_ms": 10**13,
                "limit": 51,
            }
            repository.list_page(connection, after=None, **page)
            repository.list_page(
                connection, after=(10**12, "sess_01J0000000000000000000000A"), **page
            )
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    return [
        (statement, params) for statement, params in statements if statement.startswith("SELECT")
    ]


@pytest.mark.parametrize("page", [0, 1], ids=["first page", "cursor page"])
def test_list_query_is_one_index_range_scan(database: Database, page: int) -> None:
    statement, params = captured_list_queries(database)[page]
    with database.read() as connection:
        if database.is_sqlite:
            plan = " ".join(
                str(row[-1])
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            )
            assert plan.startswith(
                "SEARCH sessions USING INDEX ix_sessions_list (site_id=? AND mode=? AND is_bot=?"
            )
            assert (
                "started_at>?" in plan and "started_at<?" in plan
            ) or "(started_at,session_id)<(?,?)" in plan
            assert "TEMP B-TREE" not in plan  # rows come in index order: no sort
        else:
            # On tiny test tables any plan is cheap: rule out the alternatives to see what the
            # index can do. Were the bounds not index conditions, a sort would be unavoidable.
            for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
                connection.exec_driver_sql(f"SET LOCAL {setting} = off")
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", params)
            plan = " ".join(row[0] for row in rows)
            assert "Scan Backward using ix_sessions_list" in plan, plan
            assert "Sort" not in plan, plan
            assert "Filter" not in plan, plan  # every condition bounds the index range
