"""Where benchmark databases live, and how the bench scripts reach them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"  # SQLite files, keys, raw results (git-ignored)
RESULTS_DIR = BENCH_DIR / "results"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class Target:
    """One benchmark database: `backend` is "sqlite" or "postgres", `name` e.g. "1m"."""

    backend: str
    name: str

    @property
    def pg_database(self) -> str:
        return f"elnudge_bench_{self.name}"

    @property
    def sqlite_path(self) -> Path:
        return DATA_DIR / f"bench_{self.name}.db"

    @property
    def url(self) -> str:
        """The ELNUDGE_DATABASE_URL of this database."""
        if self.backend == "postgres":
            return f"postgresql://postgres@127.0.0.1:5432/{self.pg_database}"
        return f"sqlite:///{self.sqlite_path}"

    @property
    def libpq_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:5432/{self.pg_database}"

    @property
    def manifest_path(self) -> Path:
        return DATA_DIR / f"{self.backend}_{self.name}.json"

    def manifest(self) -> dict[str, object]:
        """What `generate` wrote: sites, keys, sizes and the period covered."""
        loaded: dict[str, object] = json.loads(self.manifest_path.read_text())
        return loaded


def parse_target(text: str) -> Target:
    """`sqlite:1m` or `postgres:10m`."""
    backend, _, name = text.partition(":")
    if backend not in ("sqlite", "postgres") or not name:
        raise SystemExit(f"expected sqlite:NAME or postgres:NAME, got {text!r}")
    return Target(backend, name)
