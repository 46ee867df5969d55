"""`bench/run dashboard sqlite:1m` — the dashboard's Overview page (and the Nudges page) for the
last 30 days on a generated database (`bench/run generate`), against a floor from the same run.

- **overview_page**: `GET /dashboard/sites/{site}/overview` end to end, in process (routing,
  the session cookie's lookup, the metrics layer's per-day series, the allowance, the SVG
  charts, the template), for the biggest site (55% of the sessions), in America/New_York;
  with the period's hours stored (metrics/rollups.py) as every view after the first finds them;
  **overview_page_cold**: the first view, with no hour stored (it stores them);
- **nudges_page**: `GET /dashboard/sites/{site}/nudges`, the same way (the nudge report);
- **daily_series**: the Overview's query layer alone (`metrics.daily_series`);
- **floor**: one `COUNT(*)` over the period's sessions by the raw driver (an index range scan:
  the least any per-period number must cost).

Each is run `--warmup` times, then timed `--runs` times; p50/p90/max in milliseconds. The
bench adds a dashboard user to the database (once) to sign in with. The clock stands at the
database's generation: the store as it was then, its last hour's sessions just in.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from bench.machine import machine
from bench.report import floor_query, forget_stored_hours, timed
from bench.targets import RESULTS_DIR, parse_target
from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.dashboard.times import default_period, period_bounds
from elnudge.db import create_database
from elnudge.metrics import Period, daily_series
from elnudge.runtime import build_runtime
from elnudge.sites.service import update_site
from elnudge.users.service import create_user

EMAIL, PASSWORD = "bench@example.com", "bench password 30 days"
ZONE = "America/New_York"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    target = parse_target(args.target)
    manifest: dict[str, Any] = target.manifest()
    site_id = str(max(manifest["sites"], key=lambda s: float(s["share"]))["site_id"])
    now_ms = int(manifest["generated_at_ms"])
    database = create_database(target.url)
    with database.write() as connection:
        update_site(connection, site_id, timezone=ZONE)
        create_user(
            connection,
            email=EMAIL,
            password=PASSWORD,
            site_id=site_id,
            role="viewer",
            now_ms=now_ms,
        )
    runtime = build_runtime(  # the store as it was at generation: its last hour just in
        Settings(database_url=target.url, migrate_on_start=False),
        database=database,
        clock=FrozenClock(now_ms),
    )
    first, last = default_period(now_ms, ZONE)
    from_ms, to_ms = period_bounds(first, last, ZONE)
    query = f"?from={first}&to={last}"
    results: dict[str, Any] = {
        "target": args.target,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "period": {"from": str(first), "to": str(last), "timezone": ZONE},
    }
    with TestClient(create_app(runtime=runtime)) as client:
        form = client.get("/dashboard/signin").text
        token = re.search(r'name="csrf_token" value="([^"]*)"', form)
        assert token
        signed = client.post(
            "/dashboard/signin",
            data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text

        def page(name: str) -> object:
            response = client.get(f"/dashboard/sites/{site_id}/{name}{query}")
            assert response.status_code == 200, response.text[:500]
            return response

        forget_stored_hours(database, site_id)  # the first view of the month stores its hours
        results["overview_page_cold"] = timed(partial(page, "overview"), 0, 1)
        body = page("overview").text  # type: ignore[attr-defined]
        found = re.search(r'id="total-sessions">([^<]*)<', body)
        results["sessions_in_period"] = found.group(1) if found else None
        results["overview_page"] = timed(partial(page, "overview"), args.warmup, args.runs)
        results["nudges_page"] = timed(partial(page, "nudges"), args.warmup, args.runs)
    period = Period(site_id, "live", from_ms, to_ms)
    with database.snapshot() as connection:
        results["daily_series"] = timed(
            partial(daily_series, connection, period, ZoneInfo(ZONE)), args.warmup, args.runs
        )
    results["floor_count"] = timed(
        floor_query(target, site_id, from_ms, to_ms), args.warmup, args.runs
    )
    floor = max(results["floor_count"]["p50_ms"], 0.001)
    results["overview_vs_floor"] = round(results["overview_page"]["p50_ms"] / floor, 1)
    results["overview_vs_daily_series"] = round(
        results["overview_page"]["p50_ms"] / results["daily_series"]["p50_ms"], 2
    )
    database.dispose()
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"dashboard-{target.backend}-{target.name}.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2))


if __name__ == "__main__":
    main()
