"""What a result was measured on: cores, memory, and the versions of everything involved."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import psycopg

from bench.servers import POSTGREST
from bench.targets import PG_ADMIN_URL


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else ""
    )


def machine() -> dict[str, Any]:
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    try:
        with psycopg.connect(PG_ADMIN_URL) as connection:
            pg_version = connection.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    except psycopg.Error:
        pg_version = "unreachable"
    versions = {
        name: metadata.version(name)
        for name in (
            "elnudge",
            "fastapi",
            "starlette",
            "uvicorn",
            "granian",
            "sqlalchemy",
            "psycopg",
            "orjson",
            "datasette",
        )
        if _installed(name)
    }
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "cpu": _cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
        "postgrest": _run([str(POSTGREST), "--version"]),
        "wrk": _run(["wrk", "-v"]),
        "hey": "hey 0.1.4 (Debian)",
        **versions,
    }


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()
