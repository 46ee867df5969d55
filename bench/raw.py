"""The floor: the raw driver (psycopg 3 / stdlib sqlite3) running elNudge's exact SQL in a loop."""

from __future__ import annotations

import sqlite3
import statistics
import time
from typing import Any

import psycopg

from bench.targets import Target


def time_query(target: Target, sql: str, params: Any, *, runs: int = 2000) -> dict[str, float]:
    """p50/p99 in ms of execute + fetchall on one warm connection (prepared on PostgreSQL)."""
    if target.backend == "postgres":
        connection: Any = psycopg.connect(target.libpq_url, autocommit=True)
    else:
        connection = sqlite3.connect(str(target.sqlite_path))
    samples = []
    try:
        for index in range(runs + 200):
            started = time.perf_counter()
            connection.execute(sql, params).fetchall()
            if index >= 200:  # the first runs warm the cache and the prepared statement
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    samples.sort()
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(samples), 3),
        "p99_ms": round(samples[int(len(samples) * 0.99)], 3),
        "qps_one_connection": round(1000 / statistics.mean(samples), 1),
    }
