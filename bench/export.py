"""`bench/run export sqlite:1m` — export throughput (sessions/s) against the floor of paging
the API by hand, on the same server in the same run.

Every method walks the same query (the biggest site, its whole window, 200 per page) on one
`elnudge serve --workers 2`:
- `curl`: one `curl` process per page, the page saved to disk, `next_cursor` read from it —
  what a shell script would do (a new connection per page);
- `httpx`: a bare `httpx.Client` loop that only reads `next_cursor` (one kept-alive
  connection): the floor for any Python client;
- `client`: `elnudge.Client`'s `iter_pages()` over the same query, in this process, writing
  nothing: what the client adds to the httpx floor;
- `export-jsonl`, `export-csv`, `export-parquet`: `elnudge export sessions` as a user runs it,
  process start-up included.
Methods alternate in rounds (the machine is shared); each method's best and median round are
kept, and the time over the floor (the faster of `curl` and `httpx`) is given for both.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

from bench import servers
from bench.machine import machine
from bench.targets import RESULTS_DIR, Target, parse_target

PAGE = 200
DAY_MS = 86_400_000
ELNUDGE = str(Path(sys.executable).with_name("elnudge"))


def window(target: Target) -> tuple[str, str]:
    """The whole generated period, as the export's --from and --to."""
    manifest = target.manifest()
    end_ms = int(str(manifest["generated_at_ms"])) + 60_000
    start_ms = end_ms - (int(str(manifest["period_days"])) + 1) * DAY_MS
    return _iso(start_ms), _iso(end_ms)


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def biggest_site_key(target: Target) -> str:
    sites: list[dict[str, Any]] = target.manifest()["sites"]  # type: ignore[assignment]
    return str(max(sites, key=lambda site: float(site["share"]))["secret_key_live"])


def curl_walk(base_url: str, key: str, since: str, until: str, folder: Path) -> int:
    query: dict[str, Any] = {"from": since, "to": until, "limit": PAGE}
    rows = 0
    page_file = folder / "page.json"
    while True:
        url = f"{base_url}/v1/sessions?{urlencode(query)}"
        auth = f"Authorization: Bearer {key}"
        subprocess.run(["curl", "-sf", url, "-H", auth, "-o", str(page_file)], check=True)
        body = orjson.loads(page_file.read_bytes())
        rows += len(body["data"])
        if not body["has_more"]:
            return rows
        query = {"cursor": body["next_cursor"], "limit": PAGE}


def httpx_walk(base_url: str, key: str, since: str, until: str, folder: Path) -> int:
    query: dict[str, Any] = {"from": since, "to": until, "limit": PAGE}
    rows = 0
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        while True:
            body = orjson.loads(http.get("/v1/sessions", params=query).content)
            rows += len(body["data"])
            if not body["has_more"]:
                return rows
            query = {"cursor": body["next_cursor"], "limit": PAGE}


def client_walk(base_url: str, key: str, since: str, until: str, folder: Path) -> int:
    from elnudge import Client

    with Client(key, base_url=base_url, timeout=60) as client:
        pages = client.sessions.list(from_=since, to=until, limit=PAGE).iter_pages()
        return sum(len(page.raw_data) for page in pages)


def export_walk(file_format: str) -> Callable[[str, str, str, str, Path], int]:
    def run(base_url: str, key: str, since: str, until: str, folder: Path) -> int:
        output = folder / f"sessions.{file_format}"
        command = [ELNUDGE, "export", "sessions", "--from", since, "--to", until]
        command += ["--format", file_format, "--output", str(output)]
        env = {**os.environ, "ELNUDGE_API_URL": base_url, "ELNUDGE_API_KEY": key}
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        return _count_rows(output, file_format)

    return run


def _count_rows(output: Path, file_format: str) -> int:
    if file_format == "parquet":
        import pyarrow.parquet as pq

        return int(pq.read_metadata(output).num_rows)
    lines = output.read_bytes().count(b"\n")
    return lines - 1 if file_format == "csv" else lines


METHODS: dict[str, Callable[[str, str, str, str, Path], int]] = {
    "curl": curl_walk,
    "httpx": httpx_walk,
    "client": client_walk,
    "export-jsonl": export_walk("jsonl"),
    "export-csv": export_walk("csv"),
    "export-parquet": export_walk("parquet"),
}


def measure(rounds: int, base_url: str, key: str, target: Target) -> dict[str, Any]:
    since, until = window(target)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in METHODS}
    for _ in range(rounds):
        for name, walk in METHODS.items():
            with tempfile.TemporaryDirectory(prefix="elnudge-bench-") as folder:
                started = time.perf_counter()
                cpu = os.times()
                rows = walk(base_url, key, since, until, Path(folder))
                seconds = time.perf_counter() - started
                done = os.times()
            child_cpu = (done.children_user - cpu.children_user) + (
                done.children_system - cpu.children_system
            )
            own_cpu = (done.user - cpu.user) + (done.system - cpu.system)
            runs[name].append(
                {
                    "rows": rows,
                    "seconds": round(seconds, 2),
                    "sessions_per_s": round(rows / seconds),
                    "client_cpu_s": round(child_cpu + own_cpu, 2),
                }
            )
            print(name, runs[name][-1], flush=True)
    return runs


def summarize(runs: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for label, pick in (("best", max), ("median", statistics.median_high)):
        rates = {name: pick(r["sessions_per_s"] for r in results) for name, results in runs.items()}
        floor = max(rates["curl"], rates["httpx"])
        summary[label] = {
            "sessions_per_s": rates,
            "floor_sessions_per_s": floor,
            "time_over_floor": {name: round(floor / rate, 3) for name, rate in rates.items()},
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", help="sqlite:NAME or postgres:NAME (made by generate)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--label", default="", help="suffix of the result file")
    args = parser.parse_args()
    target = parse_target(args.target)
    key = biggest_site_key(target)
    with servers.elnudge(target, args.workers) as server:
        runs = measure(args.rounds, server.base_url, key, target)
    result = {
        "command": f"bench/run export {args.target} --workers {args.workers} "
        f"--rounds {args.rounds}",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "dataset": {k: v for k, v in target.manifest().items() if k != "sites"},
        "runs": runs,
        **summarize(runs),
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"export-{target.backend}-{target.name}{args.label}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps({label: result[label]["time_over_floor"] for label in ("best", "median")}))
    print(out)


if __name__ == "__main__":
    main()
