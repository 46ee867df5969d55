"""`bench/run compression` — what compression buys on the wire and what it costs, to choose
`MIN_BYTES` (web/compression.py) and the codings' levels (web/encoding.py) from numbers.

On one `elnudge serve` (1 worker, a temporary SQLite database with 400 fresh sessions):
- `sdk`: the bytes of `GET /sdk.js` on the wire, raw, gzip and brotli;
- `list200`: `GET /v1/sessions?limit=200` over one kept-alive connection with compression off
  (`Accept-Encoding: identity`) and on (gzip, br), in alternating rounds, client decoding
  included; median and p90 in ms, and bytes on the wire;
- `sizes`: real list pages of 1 to 200 sessions compressed in process at the server's dynamic
  levels: the time it costs and the bytes it saves, and what those bytes take to send at
  10 Mbit/s (a slow mobile link) — compression pays where the transfer saved exceeds the cost.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import brotli
import httpx

from bench.machine import machine
from bench.servers import free_port
from bench.targets import RESULTS_DIR
from elnudge.db import create_database
from elnudge.db.migrate import upgrade
from elnudge.provisioning import create_site
from elnudge.timestamps import format_timestamp_ms
from elnudge.web.compression import MIN_BYTES
from elnudge.web.encoding import compress_dynamic

SESSIONS = 400
ROUNDS = 6
PER_ROUND = 50
LINK_BYTES_PER_MS = 10_000_000 / 8 / 1000  # 10 Mbit/s
CODINGS = ("identity", "gzip", "br")
ELNUDGE = str(Path(sys.executable).with_name("elnudge"))


@contextmanager
def serving(database_url: str) -> Iterator[str]:
    """`elnudge serve` on a free port; stopped by its own process group id."""
    port = free_port()
    env = {**os.environ, "ELNUDGE_DATABASE_URL": database_url}
    env["ELNUDGE_RATE_LIMIT_PER_MINUTE"] = "1000000000"
    command = [ELNUDGE, "serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(command, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def fill(base: str, key: str) -> None:
    """SESSIONS sessions of three page views each, in the last hours."""
    now_ms = int(time.time() * 1000)
    events = [
        {
            "session_id": f"ses_{number}",
            "event": "PAGE_VIEW",
            "ts": format_timestamp_ms(now_ms - number * 30_000 - step * 1000),
            "url": f"https://shop.example/products/item-{number % 40}?step={step}",
            "data": {},
        }
        for number in range(1, SESSIONS + 1)
        for step in range(3)
    ]
    headers = {"Authorization": f"Bearer {key}"}
    for start in range(0, len(events), 1000):
        batch = {"events": events[start : start + 1000]}
        response = httpx.post(base + "/v1/events", json=batch, headers=headers, timeout=60)
        assert response.status_code == 200, response.text


def sdk_bytes(base: str) -> dict[str, int]:
    sizes = {}
    for coding in CODINGS:
        with httpx.stream("GET", base + "/sdk.js", headers={"Accept-Encoding": coding}) as r:
            sizes[coding] = len(b"".join(r.iter_raw()))
    return sizes


def list200(base: str, key: str) -> dict[str, dict[str, float]]:
    timings: dict[str, list[float]] = {coding: [] for coding in CODINGS}
    wire: dict[str, int] = {}
    url = base + "/v1/sessions?limit=200"
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}) as client:
        for _ in range(ROUNDS):
            for coding in CODINGS:
                headers = {"Accept-Encoding": coding}
                client.get(url, headers=headers)  # warm
                for _ in range(PER_ROUND):
                    started = time.perf_counter()
                    with client.stream("GET", url, headers=headers) as response:
                        raw = b"".join(response.iter_raw())
                    timings[coding].append((time.perf_counter() - started) * 1000)
                wire[coding] = len(raw)
    return {
        coding: {
            "p50_ms": round(statistics.median(values), 3),
            "p90_ms": round(statistics.quantiles(values, n=10)[-1], 3),
            "bytes": wire[coding],
        }
        for coding, values in timings.items()
    }


def sizes(base: str, key: str) -> list[dict[str, Any]]:
    rows = []
    headers = {"Authorization": f"Bearer {key}", "Accept-Encoding": "identity"}
    for limit in (1, 2, 5, 10, 20, 50, 200):
        body = httpx.get(f"{base}/v1/sessions?limit={limit}", headers=headers).content
        row: dict[str, Any] = {"limit": limit, "bytes": len(body)}
        for coding in ("gzip", "br"):
            runs = 200
            started = time.perf_counter()
            for _ in range(runs):
                packed = compress_dynamic(body, coding)
            cost_ms = (time.perf_counter() - started) * 1000 / runs
            saved = len(body) - len(packed)
            row[coding] = {
                "bytes": len(packed),
                "cost_ms": round(cost_ms, 4),
                "saved_ms_at_10mbit": round(saved / LINK_BYTES_PER_MS, 4),
            }
        rows.append(row)
    return rows


def levels(base: str, key: str) -> dict[str, dict[str, float]]:
    """The 200-session page at each gzip level and brotli quality: bytes and ms to compress."""
    headers = {"Authorization": f"Bearer {key}", "Accept-Encoding": "identity"}
    body = httpx.get(f"{base}/v1/sessions?limit=200", headers=headers).content
    compressors: dict[str, Any] = {
        **{
            f"gzip-{level}": partial(gzip.compress, compresslevel=level, mtime=0)
            for level in (1, 5, 6, 9)
        },
        **{f"br-{quality}": partial(brotli.compress, quality=quality) for quality in range(6)},
    }
    found = {}
    for name, compress in compressors.items():
        runs = 200
        started = time.perf_counter()
        for _ in range(runs):
            packed = compress(body)
        cost_ms = (time.perf_counter() - started) * 1000 / runs
        found[name] = {"bytes": len(packed), "cost_ms": round(cost_ms, 4)}
    return found


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'compression.db'}"
        database = create_database(url)
        upgrade(database)
        with database.write() as connection:
            site = create_site(
                connection, name="Bench", plan="scale", now_ms=int(time.time() * 1000)
            )
        database.dispose()
        with serving(url) as base:
            fill(base, site.secret_key_live)
            result = {
                "machine": machine(),
                "command": "bench/run compression",
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "min_bytes": MIN_BYTES,
                "sdk": sdk_bytes(base),
                "list200": list200(base, site.secret_key_live),
                "sizes": sizes(base, site.secret_key_live),
                "levels": levels(base, site.secret_key_live),
            }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / "compression.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({key: result[key] for key in ("sdk", "list200", "levels")}, indent=1))


if __name__ == "__main__":
    main()
