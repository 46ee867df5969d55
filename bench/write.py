"""`bench/run write sqlite` — sustained ingestion through `POST /v1/events`, batches of 100.

A fresh database per backend (`elnudge_bench_write` / bench/.data/bench_write.db) with one site
per wrk thread; each thread posts its site's realistic traffic (simulated sessions, events in
time order) once, 100 events per request, on 2 connections. The first batches of each site are
posted unmeasured and the database is analysed, then the rest is measured. The floor is the
raw driver inserting the same event rows, 100 per transaction, on one connection, measured
just before and just after elNudge's run: on a virtual machine the floor alone has moved by 2×
within ten minutes (bench/RESULTS.md), so the result gives the ratio to each and to their mean,
with the share of CPU time the host stole during each measurement (bench/cpu.py).
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import psycopg

from bench import cpu, servers
from bench.dataset import COLUMNS
from bench.generate import make_sites, recreate
from bench.machine import machine
from bench.targets import BENCH_DIR, DATA_DIR, RESULTS_DIR, Target
from elnudge.events.duplicates import SECRET_SCOPE
from elnudge.events.validation import TimeBounds, validate_envelope
from elnudge.simulate import simulate_sessions

BATCH = 100


def batches_for_site(seed: int, sessions: int) -> list[list[dict[str, Any]]]:
    """A store's traffic of the last day, as its back end would forward it: time order."""
    start = datetime.fromtimestamp(time.time() - 2 * 86_400, UTC)
    envelopes = [
        event
        for session in simulate_sessions(seed=seed, start=start, days=1, sessions_per_day=sessions)
        for event in session.events
    ]
    envelopes.sort(key=lambda event: event["ts"])
    return [envelopes[i : i + BATCH] for i in range(0, len(envelopes) - BATCH + 1, BATCH)]


def post_with_wrk(
    base_url: str,
    folder: Path,
    threads: int,
    seconds: int,
    *,
    script: Path = BENCH_DIR / "post_events.lua",
    connections: int | None = None,
) -> dict[str, Any]:
    """Post the folder's pre-built bodies with wrk (`script`; 2 connections per thread unless
    told); requests, duration, rate, p50/p99 latency and non-2xx answers."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections or threads * 2}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(script),
        base_url,
        "--",
        str(folder),
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    assert done is not None, output
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0}[done.group(3)]
    return {
        "requests": int(done.group(1)),
        "seconds": float(done.group(2)) * scale,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "latency": dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE)),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "wrk_output": output,
    }


def count_events(target: Target) -> int:
    if target.backend == "postgres":
        with psycopg.connect(target.libpq_url) as connection:
            return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])  # type: ignore[index]
    with sqlite3.connect(str(target.sqlite_path)) as connection:
        return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])


def analyze(target: Target) -> None:
    """Refresh planner statistics, as autovacuum (or a periodic ANALYZE) would in service."""
    if target.backend == "postgres":
        with psycopg.connect(target.libpq_url, autocommit=True) as connection:
            connection.execute("ANALYZE")
    else:
        with sqlite3.connect(str(target.sqlite_path)) as connection:
            connection.execute("ANALYZE")


Row = tuple[Any, ...]


def floor_rows(batches: list[list[dict[str, Any]]]) -> list[list[Row]]:
    """The batches' events as plain `events` rows without their site id, validated once for
    both floor measurements."""
    bounds = TimeBounds(oldest_ms=0, newest_ms=2**62)
    now = int(time.time() * 1000)
    return [
        [
            (
                f"evt_{b:06d}{i:03d}",
                "live",
                "sess_raw",
                v.client_key,
                None if v.client_event_id is None else f"raw.{v.client_event_id}",
                SECRET_SCOPE,
                v.visitor_id,
                v.event.type,
                v.event.occurred_at,
                v.event.url,
                orjson.dumps(v.event.data).decode(),
                0,
                now,
            )
            for i, v in enumerate(validate_envelope(raw, bounds) for raw in batch)
        ]
        for b, batch in enumerate(batches)
    ]


def raw_insert_floor(target: Target, unsited: list[list[Row]], site_id: str) -> dict[str, Any]:
    """The rows, 100 per transaction, into the events table as a site of their own (so that the
    floor can be measured twice)."""
    rows = [[(site_id, *row) for row in batch] for batch in unsited]
    columns = ", ".join(COLUMNS["events"])
    insert = _insert_postgres if target.backend == "postgres" else _insert_sqlite
    started, began = time.perf_counter(), cpu.snapshot()
    cpu_used = insert(target, columns, rows, began)
    elapsed = time.perf_counter() - started
    events = sum(len(batch_rows) for batch_rows in rows)
    return {
        "events": events,
        "seconds": round(elapsed, 2),
        "events_per_s": round(events / elapsed),
        "cpu": cpu_used,
    }


def _insert_postgres(
    target: Target, columns: str, rows: list[list[Row]], began: cpu.Snapshot
) -> dict[str, Any]:
    """Insert, and return the CPU used since `began`, measured while the connection's server
    process still lives (a process that has ended is missing from the count)."""
    marks = ", ".join("%s" for _ in COLUMNS["events"])
    with psycopg.connect(target.libpq_url) as connection:
        for batch_rows in rows:
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO events ({columns}) VALUES ({marks})", batch_rows)
        return cpu.usage(began, cpu.snapshot())


def _insert_sqlite(
    target: Target, columns: str, rows: list[list[Row]], began: cpu.Snapshot
) -> dict[str, Any]:
    marks = ", ".join("?" for _ in COLUMNS["events"])
    connection = sqlite3.connect(str(target.sqlite_path), isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    for batch_rows in rows:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(f"INSERT INTO events ({columns}) VALUES ({marks})", batch_rows)
        connection.execute("COMMIT")
    connection.close()
    return cpu.usage(began, cpu.snapshot())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("backend", choices=("sqlite", "postgres"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="sites, one wrk thread each")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--sessions-per-site", type=int, default=15_000)
    parser.add_argument("--warmup-batches", type=int, default=100, help="per site, unmeasured")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    target = Target(args.backend, "write")
    recreate(target)
    sites = make_sites(target, int(time.time() * 1000))[: args.threads]
    warmup_dir, measured_dir = DATA_DIR / "write-warmup", DATA_DIR / "write-batches"
    all_batches = []
    for index, site in enumerate(sites):
        batches = batches_for_site(seed=100 + index, sessions=args.sessions_per_site)
        all_batches.extend(batches)
        # The first batches of each site fill the database before the measured run, so the
        # planner has statistics (a fresh, never-analysed table gets bad plans).
        split = args.warmup_batches
        for folder, part in ((warmup_dir, batches[:split]), (measured_dir, batches[split:])):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"batches-{index}.txt").write_bytes(
                b"\n".join(orjson.dumps({"events": batch}) for batch in part) + b"\n"
            )
            (folder / f"key-{index}.txt").write_text(str(site["secret_key_live"]) + "\n")
    floor_batches = floor_rows(all_batches[:2000])
    with servers.elnudge(target, args.workers) as server:
        post_with_wrk(server.base_url, warmup_dir, args.threads, 120)
        analyze(target)
        floor_before = raw_insert_floor(target, floor_batches, "site_raw_before")
        before = count_events(target)
        began = cpu.snapshot()
        load = post_with_wrk(server.base_url, measured_dir, args.threads, args.seconds)
        load_cpu = cpu.usage(began, cpu.snapshot())
        rss = server.worker_rss_mb()
    stored = count_events(target) - before
    floor_after = raw_insert_floor(target, floor_batches, "site_raw_after")
    duration = load["seconds"]
    events_per_s = round(stored / duration)
    floors = {"before": floor_before["events_per_s"], "after": floor_after["events_per_s"]}
    result = {
        "command": f"bench/run write {args.backend} --workers {args.workers}",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "backend": args.backend,
        "workers": args.workers,
        "batch_events": BATCH,
        "batches_available": len(all_batches),
        "warmup_batches_per_site": args.warmup_batches,
        "events_before_measured_run": before,
        "elnudge": {
            **{k: v for k, v in load.items() if k != "wrk_output"},
            "events_stored": stored,
            "events_per_s": events_per_s,
            "cpu": load_cpu,
        },
        "elnudge_worker_rss_mb": rss,
        "wrk_output": load["wrk_output"],
        "raw_driver": {"before": floor_before, "after": floor_after},
        # issue 15: ingestion at least 0.6x the raw floor.
        "ratio_to_floor": {
            **{when: round(events_per_s / rate, 2) for when, rate in floors.items()},
            "mean": round(events_per_s * 2 / sum(floors.values()), 2),
        },
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"write-{args.backend}{args.label}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k not in ("machine", "wrk_output")}))


if __name__ == "__main__":
    main()
