"""A worker of `elnudge serve` loads neither alembic (its parent migrated) nor the `openai`
client (no llm configured): 23 MB of every worker's memory. With an llm configured, the client
is loaded when the app starts, not in a shopper's first wait. Each case runs in a fresh
interpreter, as a worker does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

WORKER = """
import json, sys
from fastapi.testclient import TestClient
from elnudge.server import app_from_environment
with TestClient(app_from_environment()) as client:
    assert client.get("/healthz").status_code == 200
print(json.dumps({name: name in sys.modules for name in ("alembic", "openai")}))
"""


def loaded(tmp_path: Path, **settings: str) -> dict[str, bool]:
    database = tmp_path / "worker.db"
    env = {
        **os.environ,
        "ELNUDGE_DATABASE_URL": f"sqlite:///{database}",
        "ELNUDGE_WEBHOOKS_WORKER": "false",
        **settings,
    }
    migrate = {**env, "ELNUDGE_MIGRATE_ON_START": "true"}  # as `elnudge serve` does first
    subprocess.run([sys.executable, "-c", WORKER], env=migrate, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", WORKER], env=env, check=True, capture_output=True, text=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_worker_loads_neither_alembic_nor_the_llm_client(tmp_path: Path) -> None:
    assert loaded(tmp_path, ELNUDGE_MIGRATE_ON_START="false") == {
        "alembic": False,
        "openai": False,
    }


def test_with_an_llm_the_client_is_loaded_when_the_app_starts(tmp_path: Path) -> None:
    llm = "http://127.0.0.1:9/v1"  # never called: the app only starts
    assert loaded(tmp_path, ELNUDGE_MIGRATE_ON_START="false", ELNUDGE_LLM_BASE_URL=llm) == {
        "alembic": False,
        "openai": True,
    }
