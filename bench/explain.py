"""`bench/run explain postgres:1m` — the plans of elNudge's list query, first page and deep page.

The goal: one index range scan of ix_sessions_list on both backends, with no sort; on SQLite
the cursor condition replaces the `to` bound, so the deep page keeps the range.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from typing import Any

import psycopg

from bench.read import DEEP_OFFSET, page_sql, prepare
from bench.targets import RESULTS_DIR, Target, parse_target
from elnudge.db import create_database


def plan(target: Target, sql: str, params: Any) -> list[str]:
    if target.backend == "postgres":
        with psycopg.connect(target.libpq_url) as connection:
            rows = connection.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            return [row[0] for row in rows]
    with sqlite3.connect(str(target.sqlite_path)) as sqlite_connection:
        return [row[3] for row in sqlite_connection.execute("EXPLAIN QUERY PLAN " + sql, params)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target")
    parser.add_argument("--deep-offset", type=int, default=DEEP_OFFSET)
    args = parser.parse_args()
    target = parse_target(args.target)
    database = create_database(target.url)
    setup = prepare(target, database, args.deep_offset)
    plans = {}
    for name, after in (("first_page", None), ("deep_page", setup.deep_position)):
        sql, params = page_sql(database, setup, after=after, limit=51)
        plans[name] = {"sql": sql, "plan": plan(target, sql, params)}
        print(f"-- {target.backend}:{target.name} {name}\n" + "\n".join(plans[name]["plan"]))
    database.dispose()
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"explain-{target.backend}-{target.name}.json").write_text(
        json.dumps(plans, indent=2)
    )


if __name__ == "__main__":
    main()
