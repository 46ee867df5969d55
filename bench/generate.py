"""`bench/run generate sqlite:1m 1000000` — a fresh benchmark database, bulk-filled.

Creates the database (dropping an old one of the same name), applies the real migrations,
creates the sites through the real service (so keys work), then bulk-loads sessions, events
and nudges from `bench.dataset` and writes a manifest (sites, keys, period) beside the data.
"""

from __future__ import annotations

import argparse
import json
import time

import psycopg

from bench.dataset import Plan, Site, build_pool, generate
from bench.load import Loader
from bench.targets import DATA_DIR, PG_ADMIN_URL, Target, parse_target
from elnudge.db import create_database
from elnudge.db.migrate import upgrade
from elnudge.provisioning import create_site

SITE_SHARES = (0.55, 0.25, 0.15, 0.05)  # one big store and a tail, as on a shared install
DAYS = 90


def recreate(target: Target) -> None:
    DATA_DIR.mkdir(exist_ok=True)
    if target.backend == "postgres":
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {target.pg_database} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {target.pg_database}")
    else:
        for suffix in ("", "-wal", "-shm"):
            target.sqlite_path.with_name(target.sqlite_path.name + suffix).unlink(missing_ok=True)


def make_sites(target: Target, now_ms: int) -> list[dict[str, object]]:
    database = create_database(target.url)
    upgrade(database)
    created = []
    with database.write() as connection:
        for index, share in enumerate(SITE_SHARES):
            site = create_site(connection, name=f"bench store {index}", plan="scale", now_ms=now_ms)
            created.append(
                {
                    "site_id": site.site_id,
                    "share": share,
                    "secret_key_live": site.secret_key_live,
                    "secret_key_test": site.secret_key_test,
                }
            )
    database.dispose()
    return created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", help="sqlite:NAME or postgres:NAME")
    parser.add_argument("sessions", type=int)
    parser.add_argument(
        "--with-events",
        type=int,
        default=None,
        help="how many sessions get their events and nudges (default: all)",
    )
    parser.add_argument("--pool", type=int, default=20_000, help="simulated sessions to replay")
    args = parser.parse_args()
    target = parse_target(args.target)
    started = time.monotonic()
    now_ms = int(time.time() * 1000)
    recreate(target)
    sites = make_sites(target, now_ms)
    pool = build_pool(args.pool, seed=11)
    plan = Plan(
        total=args.sessions,
        days=DAYS,
        end_ms=now_ms,
        sites=tuple(Site(str(s["site_id"]), float(str(s["share"]))) for s in sites),
        with_events=args.sessions if args.with_events is None else args.with_events,
    )
    loader = Loader(
        target.backend,
        target.libpq_url if target.backend == "postgres" else str(target.sqlite_path),
    )
    counts = {"sessions": 0, "events": 0, "nudges": 0, "nudge_offers": 0}
    for batch in generate(plan, pool):
        loader.write(batch)
        counts["sessions"] += len(batch.sessions)
        counts["events"] += len(batch.events)
        counts["nudges"] += len(batch.nudges)
        counts["nudge_offers"] += len(batch.offers)
    loaded = time.monotonic()
    loader.finish()
    finished = time.monotonic()
    manifest = {
        "target": args.target,
        "url": target.url,
        "generated_at_ms": now_ms,
        "period_days": DAYS,
        "sites": sites,
        "counts": counts,
        "seconds_load": round(loaded - started, 1),
        "seconds_indexes": round(finished - loaded, 1),
    }
    target.manifest_path.write_text(json.dumps(manifest, indent=2))
    print(json.dumps({k: v for k, v in manifest.items() if k != "sites"}))


if __name__ == "__main__":
    main()
