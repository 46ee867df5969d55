"""`elnudge demo` prints dashboard credentials that sign in to a dashboard full of data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from elnudge.app import create_app
from elnudge.config import Settings
from tests.dashboard.conftest import sign_in

ELNUDGE = str(Path(sys.executable).with_name("elnudge"))


def test_demo_prints_working_dashboard_credentials(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {**os.environ, "ELNUDGE_DATABASE_URL": url, "COLUMNS": "200"}
    command = [ELNUDGE, "demo", "--no-serve", "--days", "2", "--per-day", "20"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "http://127.0.0.1:8000/dashboard/" in result.stdout
    email = re.search(r"email:\s+(\S+)", result.stdout)
    password = re.search(r"password:\s+(\S+)", result.stdout)
    assert email and password
    settings = Settings(database_url=url, migrate_on_start=False)
    with TestClient(create_app(settings)) as client:
        assert sign_in(client, email.group(1), password.group(1)).status_code == 303
        overview = client.get("/dashboard/")  # one site: its overview
        assert overview.status_code == 200 and "Overview" in overview.text
        sessions = client.get(str(overview.url).replace("/overview", "/sessions"))
        assert sessions.text.count("/sessions/sess_") >= 20
    client.app.state.runtime.database.dispose()  # type: ignore[attr-defined]
