"""`bench/run report sqlite:1m` — GET /v1/reports/nudges and the Overview's per-day series for a
30-day period on a generated database (`bench/run generate`), against a floor from the same run.

- **report**: the endpoint end to end, in process (routing, auth, the metrics queries in one
  snapshot, the statistics, JSON), for the biggest site (55% of the sessions), with the
  period's hours stored (metrics/rollups.py), as every report after the first reads them;
- **report_cold**: the same with no hour stored (once: it stores the 30 days it reads);
- its parts: the period's slots read from the stored hours (`period_slots`), counted from the
  rows alone (`count_slots`, what every report did before the rollups), and storing one hour
  again (what a late event costs the next read) and one day;
- **overview**: `metrics.daily_series` for the same 30 days in America/New_York;
- **floor**: the least any report of the period must do from the rows, one `COUNT(*)` over the
  period's sessions (an index range scan), by the raw driver.

Each is run `--warmup` times, then timed `--runs` times; p50/p90/max in milliseconds. The clock
stands at the database's generation: the store as it was then, its last hour's sessions just in
(so, as on a live store, the last hour or two are counted from the rows by every read).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from fastapi.testclient import TestClient

from bench.machine import machine
from bench.targets import RESULTS_DIR, Target, parse_target
from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import Database, create_database
from elnudge.db.tables import report_hours
from elnudge.metrics import Period, count_slots, daily_series, period_slots, settle
from elnudge.runtime import build_runtime
from elnudge.timestamps import DAY_MS, HOUR_MS, format_timestamp_ms

PERIOD_DAYS = 30


def timed(run: Callable[[], object], warmup: int, runs: int) -> dict[str, float]:
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p90_ms": round(samples[max(0, round(0.9 * len(samples)) - 1)], 2),
        "max_ms": round(samples[-1], 2),
        "runs": runs,
    }


def save(results: dict[str, Any], name: str) -> None:
    """bench/results/<name>.json, and the results printed (without the machine)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2))


def floor_query(target: Target, site_id: str, from_ms: int, to_ms: int) -> Callable[[], object]:
    sql = (
        "SELECT count(*) FROM sessions WHERE site_id = {0} AND mode = 'live' AND is_bot = {1}"
        " AND started_at >= {0} AND started_at < {0}"
    )
    if target.backend == "postgres":
        pg = psycopg.connect(target.libpq_url, autocommit=True)
        text = sql.format("%s", "false")
        return lambda: pg.execute(text, (site_id, from_ms, to_ms)).fetchone()
    lite = sqlite3.connect(str(target.sqlite_path), check_same_thread=False)
    text = sql.format("?", "0")
    return lambda: lite.execute(text, (site_id, from_ms, to_ms)).fetchone()


def forget_stored_hours(database: Database, site_id: str, hours: range | None = None) -> None:
    """Delete the site's stored hours (or some of them), as a write to them would."""
    with database.write() as connection:
        statement = report_hours.delete().where(report_hours.c.site_id == site_id)
        if hours is not None:
            statement = statement.where(report_hours.c.hour.between(hours[0], hours[-1]))
        connection.execute(statement)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    target = parse_target(args.target)
    manifest: dict[str, Any] = target.manifest()
    site = max(manifest["sites"], key=lambda s: float(s["share"]))
    to_ms = int(manifest["generated_at_ms"])
    from_ms = to_ms - PERIOD_DAYS * DAY_MS
    period = Period(str(site["site_id"]), "live", from_ms, to_ms)
    params = {"from": format_timestamp_ms(from_ms), "to": format_timestamp_ms(to_ms)}
    headers = {"Authorization": f"Bearer {site['secret_key_live']}"}
    database = create_database(target.url)
    runtime = build_runtime(
        Settings(database_url=target.url, migrate_on_start=False),
        database=database,
        clock=FrozenClock(to_ms),
    )
    results: dict[str, Any] = {
        "target": args.target,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "period": params,
        "site_share": site["share"],
    }
    forget_stored_hours(database, period.site_id)
    with TestClient(create_app(runtime=runtime)) as client:

        def report() -> object:
            response = client.get("/v1/reports/nudges", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()

        results["report_cold"] = timed(report, 0, 1)
        results["report"] = timed(report, args.warmup, args.runs)
    zone = ZoneInfo("America/New_York")
    first_day = from_ms // DAY_MS + 1  # the period's first whole UTC day

    def store_again(hours: int) -> object:
        first_hour = first_day * DAY_MS // HOUR_MS
        forget_stored_hours(database, period.site_id, range(first_hour, first_hour + hours))
        again = Period(period.site_id, "live", first_hour * HOUR_MS, (first_hour + hours) * HOUR_MS)
        return settle(database, again, to_ms)

    results["settle_one_hour"] = timed(partial(store_again, 1), 1, 5)
    results["settle_one_day"] = timed(partial(store_again, 24), 1, 5)
    parts: dict[str, Callable[[Any], object]] = {
        "period_slots_stored": lambda c: period_slots(c, period),
        "count_slots_from_rows": lambda c: count_slots(c, period),
        "overview_daily_series": lambda c: daily_series(c, period, zone),
    }
    with database.snapshot() as connection:
        counted = period_slots(connection, period)
        results["sessions_in_period"] = counted.total().sessions
        results["nudges_in_period"] = sum(kind.shown for kind in counted.by_type().values())
        for name, part in parts.items():
            runs = args.runs if name != "count_slots_from_rows" else max(3, args.runs // 3)
            results[name] = timed(partial(part, connection), min(args.warmup, 1), runs)
    results["floor_count"] = timed(
        floor_query(target, period.site_id, from_ms, to_ms), args.warmup, args.runs
    )
    results["report_vs_floor"] = round(
        results["report"]["p50_ms"] / max(results["floor_count"]["p50_ms"], 0.001), 1
    )
    database.dispose()
    save(results, f"report-{target.backend}-{target.name}")


if __name__ == "__main__":
    main()
