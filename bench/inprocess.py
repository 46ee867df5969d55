"""`bench/run inprocess sqlite:1m` — CPU per request of the hot read routes, in process.

The app is called as an ASGI application (every middleware, the router, the handler, the
database) by a minimal driver in this process: no HTTP server, no load generator, no socket.
What is left is what the app itself costs per request, which a shared, loaded machine distorts
far less than a load test does. For each scenario of `bench/run read` (list 50, list 200, a
deep cursor page, get by id): 200 warm-up calls, then `--rounds` rounds of `--calls` calls;
the median round's CPU time (this process; on PostgreSQL the server's own work is not in it)
and wall time per call, and the SQL statements one call runs (round trips on PostgreSQL).

Compare two versions of the code in one sitting by running this twice, the second time with
`PYTHONPATH=<other tree>/src` (the bench itself stays the same); `--profile DIR` also writes a
cProfile of each scenario there. `--floor` also measures the floor server (bench/floor.py) the
same way, alternating with elNudge round by round, and gives elNudge's CPU per call as a
multiple of the floor's: the ratio a load test's throughput tends to, without the HTTP server.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import event

import elnudge
from bench.floor import Floor
from bench.machine import machine
from bench.read import DEEP_OFFSET, elnudge_paths, prepare
from bench.targets import RESULTS_DIR, parse_target
from elnudge.app import create_app
from elnudge.config import Settings
from elnudge.db import create_database

WARMUP = 200


class Caller:
    """Calls an ASGI app with GET requests and returns status and body."""

    def __init__(self, app: Any, key: str) -> None:
        self.app = app
        self.headers = [(b"host", b"bench"), (b"authorization", f"Bearer {key}".encode())]

    async def get(self, url: str) -> tuple[int, bytes]:
        parts = urlsplit(url)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": parts.path,
            "raw_path": parts.path.encode(),
            "query_string": parts.query.encode(),
            "root_path": "",
            "headers": self.headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return sent[0]["status"], body

    async def timed(self, url: str, calls: int) -> tuple[float, float]:
        """CPU and wall microseconds per call over `calls` calls."""
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(calls):
            await self.get(url)
        return (
            (time.process_time() - cpu) / calls * 1e6,
            (time.perf_counter() - wall) / calls * 1e6,
        )


def statements_per_call(engine: Any, caller: Caller, url: str) -> list[str]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:120])

    event.listen(engine, "before_cursor_execute", record)
    try:
        asyncio.run(caller.get(url))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def scenario(
    callers: dict[str, Caller], url: str, rounds: int, calls: int, profile: Path | None
) -> dict[str, dict[str, Any]]:
    """Each caller's CPU and wall time per call of `url`; their rounds alternate."""
    bodies = {}
    for name, caller in callers.items():
        status, bodies[name] = asyncio.run(caller.get(url))
        if status != 200:
            raise SystemExit(f"{name} {url}: {status} {bodies[name][:200]!r}")

    async def run() -> dict[str, list[tuple[float, float]]]:
        for caller in callers.values():
            for _ in range(WARMUP):
                await caller.get(url)
        timings: dict[str, list[tuple[float, float]]] = {name: [] for name in callers}
        for _ in range(rounds):
            for name, caller in callers.items():
                timings[name].append(await caller.timed(url, calls))
        return timings

    timings = asyncio.run(run())
    if profile is not None:
        profiler = cProfile.Profile()
        profiler.runcall(asyncio.run, callers["elnudge"].timed(url, calls))
        profiler.dump_stats(profile)
    measured = {}
    for name, results in timings.items():
        cpu = [round(c, 1) for c, _ in results]
        wall = [round(w, 1) for _, w in results]
        measured[name] = {
            "bytes": len(bodies[name]),
            "cpu_us_median": statistics.median(cpu),
            "cpu_us_min": min(cpu),
            "wall_us_median": statistics.median(wall),
            "cpu_us_rounds": cpu,
            "wall_us_rounds": wall,
        }
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", help="sqlite:NAME or postgres:NAME (made by generate)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=300, help="calls per round")
    parser.add_argument("--deep-offset", type=int, default=DEEP_OFFSET)
    parser.add_argument("--label", default="", help="suffix of the result file")
    parser.add_argument("--only", default=None, help="one scenario, e.g. get_by_id")
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats here")
    parser.add_argument("--floor", action="store_true", help="measure the floor server too")
    args = parser.parse_args()
    target = parse_target(args.target)
    database = create_database(target.url)
    setup = prepare(target, database, args.deep_offset)
    settings = Settings(
        database_url=target.url, migrate_on_start=False, rate_limit_per_minute=10**9
    )
    app = create_app(settings)
    callers = {"elnudge": Caller(app, setup.key)}
    if args.floor:
        callers["floor"] = Caller(Floor(target.url), setup.key)
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    engine = app.state.runtime.database.engine
    result: dict[str, Any] = {
        "command": f"bench/run inprocess {args.target} --rounds {args.rounds} "
        f"--calls {args.calls} --deep-offset {args.deep_offset}" + " --floor" * args.floor,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average": os.getloadavg(),
        "code": str(Path(elnudge.__file__).parent),
        "machine": machine(),
        "backend": target.backend,
        "dataset": {k: v for k, v in target.manifest().items() if k != "sites"},
        "scenarios": {},
    }
    for name, url in elnudge_paths(setup).items():
        if args.only not in (None, name):
            continue
        profile = None if args.profile is None else args.profile / f"{target.backend}-{name}.prof"
        by_caller = scenario(callers, url, args.rounds, args.calls, profile)
        measured = by_caller["elnudge"]
        measured["statements"] = statements_per_call(engine, callers["elnudge"], url)
        line = f"{name} {measured['cpu_us_median']} {measured['wall_us_median']}"
        if "floor" in by_caller:
            floor = measured["floor"] = by_caller["floor"]
            measured["cpu_to_floor"] = round(measured["cpu_us_median"] / floor["cpu_us_median"], 2)
            line += f" floor {floor['cpu_us_median']} ({measured['cpu_to_floor']}x)"
        result["scenarios"][name] = measured
        print(line, flush=True)
    result["load_average_after"] = os.getloadavg()
    database.dispose()
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"inprocess-{target.backend}-{target.name}{args.label}.json"
    out.write_text(json.dumps(result, indent=2))
    print(out)


if __name__ == "__main__":
    main()
