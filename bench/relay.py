"""`bench/run relay sqlite` — the relay with the nudge engine on vs off, on the same events.

A fresh database per backend (`elnudge_bench_relay` / bench/.data/bench_relay.db) with two
sites that differ only in the setting `nudges` (on | off). Simulated storefront traffic of the
last day is cut into relay requests as the SDK sends them (a request ends at each event that
can trigger a nudge, sdk.js `TRIGGERS`), and the same requests, with each site's public key, are
posted to `POST /v1/relay` by wrk: one connection per thread, so a session's requests stay in
order. Each site gets an unmeasured warm-up, then two measured runs in the order off, on, on,
off (each run on fresh requests: the same ones for both sites), so drift on a shared machine
falls on both alike. With the engine off the relay answers `nudge: null` without reading
anything (`decide_and_offer`'s first line), so the difference is the engine's whole cost.

Then, in-process and one call at a time, the same requests to both sites alternately (so load
from elsewhere falls on both arms at the same moment), and the decision's own cost per call:
for stored sessions of the engine-on site, at a moment just after their last event, the time of
`decide_and_offer` (reading the situation, deciding, recording the offer; rolled back) and of
the pure `decide` alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy import select

from bench import servers
from bench.generate import recreate
from bench.machine import machine
from bench.targets import BENCH_DIR, DATA_DIR, RESULTS_DIR, Target
from bench.write import analyze, post_with_wrk
from elnudge.clock import SystemClock
from elnudge.config import Settings
from elnudge.db import Database, create_database
from elnudge.db.migrate import upgrade
from elnudge.db.tables import sessions
from elnudge.engine import decide
from elnudge.keys.service import Principal, authenticate
from elnudge.nudges import repository
from elnudge.nudges.decisions import decide_and_offer, read_situation
from elnudge.provisioning import create_site
from elnudge.relay.service import Sender, relay
from elnudge.runtime import build_runtime
from elnudge.simulate import SimulatedSession, simulate_sessions
from elnudge.simulate.journey import SCROLL_TRIGGER_DEPTH, TRIGGERS
from elnudge.sites.engine import site_engine, update_engine_settings
from elnudge.vocabulary import EventType, KeyKind

PHASES = ("warmup", "run1", "run2")
# A shopper's browser (post_relay.lua sends the same): without one the relay sees a bot.
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
ORDER = (("off", "run1"), ("on", "run1"), ("on", "run2"), ("off", "run2"))


def requests_of(session: SimulatedSession) -> list[list[dict[str, Any]]]:
    """A session's events as the SDK's requests: each ends with an event that flushes at once."""
    requests: list[list[dict[str, Any]]] = [[]]
    for envelope in session.events:
        requests[-1].append(envelope)
        kind = envelope["event"]
        if kind in TRIGGERS or (
            kind == EventType.SCROLL_DEPTH and envelope["data"]["depth"] >= SCROLL_TRIGGER_DEPTH
        ):
            requests.append([])
    return [request for request in requests if request]


def thread_streams(pool: Sequence[SimulatedSession], threads: int) -> list[list[list[Any]]]:
    """Sessions dealt to threads; each thread's requests in the order their first events
    happened (sessions interleave, as a store's traffic does)."""
    streams: list[list[list[Any]]] = [[] for _ in range(threads)]
    for index, session in enumerate(pool):
        streams[index % threads].extend(requests_of(session))
    for stream in streams:
        stream.sort(key=lambda request: request[0]["ts"])
    return streams


def write_bodies(folder: Path, streams: list[list[list[Any]]], site_key: str) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for index, stream in enumerate(streams):
        lines = (orjson.dumps({"site_key": site_key, "events": events}) for events in stream)
        (folder / f"bodies-{index}.txt").write_bytes(b"\n".join(lines) + b"\n")
    return sum(len(stream) for stream in streams)


def make_sites(database: Database, now_ms: int) -> dict[str, dict[str, str]]:
    """Two sites, the same in everything but `nudges`."""
    created = {}
    with database.write() as connection:
        for state in ("on", "off"):
            site = create_site(connection, name=f"relay {state}", plan="scale", now_ms=now_ms)
            update_engine_settings(
                connection,
                site.site_id,
                {
                    "nudges_enabled": state == "on",
                    "free_shipping_threshold": 150,
                    "free_shipping_currency": "USD",
                },
            )
            created[state] = {
                "site_id": site.site_id,
                "site_key": site.site_key_live,
                "secret_key": site.secret_key_live,
            }
    return created


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_decisions(database: Database, secret_key: str, limit: int) -> dict[str, Any]:
    """`decide_and_offer` (rolled back) and `decide` alone, per stored session, in ms."""
    with database.read() as connection:
        principal = authenticate(connection, secret_key, kind=KeyKind.SECRET, now_ms=0)
        rows = connection.execute(
            select(*repository.SESSION_COLUMNS, sessions.c.ended_at)
            .where(sessions.c.site_id == principal.site_id)
            .order_by(sessions.c.started_at)
            .limit(limit)
        ).all()
    whole: list[float] = []
    pure: list[float] = []
    engine = site_engine(principal.engine_settings, principal.plan)
    with database.engine.connect() as connection:
        for row in rows:
            row = cast(Any, row)  # a session row, as the relay reads it (and its end)
            now_ms = row.ended_at + 1_000
            transaction = connection.begin()
            started = time.perf_counter()
            decide_and_offer(connection, principal, row, now_ms=now_ms)
            whole.append((time.perf_counter() - started) * 1000)
            transaction.rollback()
            pure.append(_pure_decide_ms(connection, principal, engine, row, now_ms))
    return {
        "sessions": len(rows),
        "decide_and_offer_ms": _summary(whole),
        "decide_only_ms": _summary(pure),
    }


def _pure_decide_ms(
    connection: Any, principal: Principal, engine: Any, row: Any, now: int
) -> float:
    with connection.begin():
        offers = repository.offers_of(connection, principal.site_id, principal.mode, row.session_id)
        situation = read_situation(
            connection, principal, engine, row, offers, now_ms=now, tag_zones=()
        )
    started = time.perf_counter()
    decide(situation, engine.settings)
    return (time.perf_counter() - started) * 1000


def interleaved_relay_calls(
    target: Target, sites: dict[str, dict[str, str]], pool: Sequence[SimulatedSession], limit: int
) -> dict[str, Any]:
    """`relay()` in-process, one call at a time, the same request to the engine-on and the
    engine-off site alternately (which goes first alternates too): both arms see the same
    machine at the same moment, so load from elsewhere cancels out of the ratio. The requests
    get new client keys and no event ids, so none is a duplicate of the wrk runs'."""
    settings = Settings(
        database_url=target.url,
        migrate_on_start=False,
        relay_rate_limit_per_minute=10**9,
        relay_client_rate_limit_per_minute=10**9,
    )
    database = create_database(target.url)
    runtime = build_runtime(settings, database=database, clock=SystemClock())
    sender = Sender(origin=None, user_agent=BROWSER, address="127.0.0.1")
    times: dict[str, list[float]] = {"on": [], "off": []}
    for index, events in enumerate(thread_streams(pool, 1)[0][:limit]):
        fresh = [
            {k: v for k, v in e.items() if k != "event_id"} | {"session_id": e["session_id"] + "x"}
            for e in events
        ]
        for state in ("on", "off") if index % 2 else ("off", "on"):
            body = {"site_key": sites[state]["site_key"], "events": fresh}
            started = time.perf_counter()
            relay(runtime, body, sender)
            times[state].append((time.perf_counter() - started) * 1000)
    database.dispose()
    on, off = statistics.fmean(times["on"]), statistics.fmean(times["off"])
    return {
        "requests": len(times["on"]),
        "engine_on_ms": _summary(times["on"]),
        "engine_off_ms": _summary(times["off"]),
        "throughput_ratio_on_vs_off": round(off / on, 3),
    }


def _summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 4),
        "p99": round(_percentile(values, 0.99), 4),
        "mean": round(statistics.fmean(values), 4),
    }


def pools(total: int, warmup: int, seed: int) -> Iterator[list[SimulatedSession]]:
    """The warm-up pool, then two equal measured pools, from one day of simulated traffic."""
    start = datetime.fromtimestamp(time.time() - 2 * 86_400, UTC)
    simulated = list(simulate_sessions(seed=seed, start=start, days=1, sessions_per_day=total))
    half = (total - warmup) // 2
    yield simulated[:warmup]
    yield simulated[warmup : warmup + half]
    yield simulated[warmup + half :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("backend", choices=("sqlite", "postgres"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="wrk threads = connections")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--sessions", type=int, default=9_000, help="simulated, all phases")
    parser.add_argument("--warmup-sessions", type=int, default=600)
    parser.add_argument("--timed-sessions", type=int, default=2_000)
    parser.add_argument("--interleaved-requests", type=int, default=3_000)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    target = Target(args.backend, "relay")
    recreate(target)
    database = create_database(target.url)
    upgrade(database)
    sites = make_sites(database, int(time.time() * 1000))
    available: dict[str, int] = {}
    measured_pool: list[SimulatedSession] = []
    for phase, pool in zip(PHASES, pools(args.sessions, args.warmup_sessions, 7), strict=True):
        measured_pool = pool  # the last (run2) pool also feeds the in-process comparison
        streams = thread_streams(pool, args.threads)
        for state, site in sites.items():
            count = write_bodies(DATA_DIR / f"relay-{phase}-{state}", streams, site["site_key"])
            available[phase] = count
    env = {
        "ELNUDGE_RELAY_RATE_LIMIT_PER_MINUTE": "1000000000",
        "ELNUDGE_RELAY_CLIENT_RATE_LIMIT_PER_MINUTE": "1000000000",
    }
    runs: dict[str, list[dict[str, Any]]] = {"on": [], "off": []}
    load_before = os.getloadavg()
    with servers.elnudge(target, args.workers, env) as server:
        for state in ("off", "on"):
            post_with_wrk_relay(server.base_url, DATA_DIR / f"relay-warmup-{state}", args, 5)
        analyze(target)
        for state, phase in ORDER:
            folder = DATA_DIR / f"relay-{phase}-{state}"
            load = post_with_wrk_relay(server.base_url, folder, args, args.seconds)
            load["phase"] = phase
            load["ran_out"] = load["requests"] >= available[phase] - args.threads
            runs[state].append(load)
    decisions = time_decisions(database, sites["on"]["secret_key"], args.timed_sessions)
    in_process = interleaved_relay_calls(target, sites, measured_pool, args.interleaved_requests)
    database.dispose()
    result = summarize(args, runs, decisions, available)
    result["in_process_interleaved"] = in_process
    result["load_average_1_5_15"] = {"before": load_before, "after": os.getloadavg()}
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"relay-{args.backend}{args.label}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k not in ("machine", "runs")}, indent=2))


def post_with_wrk_relay(
    base_url: str, folder: Path, args: argparse.Namespace, seconds: int
) -> dict[str, Any]:
    load = post_with_wrk(
        base_url,
        folder,
        args.threads,
        seconds,
        script=BENCH_DIR / "post_relay.lua",
        connections=args.threads,
    )
    load.pop("wrk_output")
    return load


def summarize(
    args: argparse.Namespace,
    runs: dict[str, list[dict[str, Any]]],
    decisions: dict[str, Any],
    available: dict[str, int],
) -> dict[str, Any]:
    def mean(state: str, key: str) -> float:
        return round(statistics.fmean(float(run[key]) for run in runs[state]), 1)

    def latency(state: str, which: str) -> float:
        return round(statistics.fmean(_ms(run["latency"][which]) for run in runs[state]), 2)

    on, off = mean("on", "rps"), mean("off", "rps")
    return {
        "command": f"bench/run relay {args.backend} --workers {args.workers}",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "backend": args.backend,
        "workers": args.workers,
        "connections": args.threads,
        "requests_available_per_run": available,
        "engine_off": {"rps": off, "p50_ms": latency("off", "50"), "p99_ms": latency("off", "99")},
        "engine_on": {"rps": on, "p50_ms": latency("on", "50"), "p99_ms": latency("on", "99")},
        "throughput_ratio_on_vs_off": round(on / off, 3),
        "decision": decisions,
        "targets": {"decision_p50_ms_at_most": 1.0, "throughput_ratio_at_least": 0.8},
        "runs": runs,
    }


def _ms(text: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    number = text.rstrip("usm")
    return float(number) * units[text[len(number) :]]


if __name__ == "__main__":
    main()
