"""`elnudge webhooks …` run for real, and the worker inside `elnudge serve` delivering a ping to
a receiver on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from elnudge.webhooks import verify
from tests.cli.test_cli import ELNUDGE, _free_port, _wait_for, run, run_json
from tests.webhooks.receiver import receiver

LOCAL = {"ELNUDGE_WEBHOOKS_ALLOW_LOCAL": "true"}


def test_the_commands(database_url: str) -> None:
    site = run_json(database_url, "sites", "create", "--name", "Hooked")["site_id"]
    refused = run(
        database_url, "webhooks", "create", site, "--url", "https://10.0.0.8/x", check=False
    )
    assert refused.returncode == 1 and "not a public address" in refused.stderr
    local = run(
        database_url, "webhooks", "create", site, "--url", "http://127.0.0.1:9/", check=False
    )
    assert local.returncode == 1 and "https" in local.stderr
    created = run_json(
        database_url,
        "webhooks",
        "create",
        site,
        "--url",
        "https://93.184.215.14/hooks",
        "--event",
        "session.converted",
    )
    assert list(created) == ["id", "secret"] and created["secret"].startswith("whsec_")
    endpoint = created["id"]
    listed = run_json(database_url, "webhooks", "list", site)["data"]
    assert listed == [
        {
            "id": endpoint,
            "site_id": site,
            "url": "https://93.184.215.14/hooks",
            "events": ["session.converted"],
            "enabled": True,
            "failing_since": None,
        }
    ]
    assert created["secret"] not in run(database_url, "webhooks", "list", site).stdout
    rotated = run_json(database_url, "webhooks", "rotate", endpoint)
    assert rotated["secret"] != created["secret"]
    queued = run_json(database_url, "webhooks", "test", endpoint)
    [entry] = run_json(database_url, "webhooks", "deliveries", endpoint)["data"]
    assert (entry["event_id"], entry["event"], entry["status"]) == (
        queued["event_id"],
        "ping",
        "pending",
    )
    assert "ping" in run(database_url, "webhooks", "deliveries", endpoint).stdout
    assert (
        f"Deleted webhook endpoint {endpoint}"
        in run(database_url, "webhooks", "delete", endpoint).stdout
    )
    gone = run(database_url, "webhooks", "rotate", endpoint, check=False)
    assert gone.returncode == 1 and "No webhook endpoint" in gone.stderr


def test_the_server_runs_the_worker(database_url: str, tmp_path: Path) -> None:
    site = run_json(database_url, "sites", "create", "--name", "Served hooks")
    with receiver() as hooks:
        created = run_json(
            database_url, "webhooks", "create", site["site_id"], "--url", hooks.url, extra_env=LOCAL
        )
        port = _free_port()
        env = {**os.environ, "ELNUDGE_DATABASE_URL": database_url, **LOCAL}
        with (tmp_path / "server.log").open("wb") as log:
            server = subprocess.Popen(
                [ELNUDGE, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
            )
            try:
                _wait_for(f"http://127.0.0.1:{port}/healthz", site["secret_key_live"])
                run(database_url, "webhooks", "test", created["id"])
                deadline = time.monotonic() + 30
                while not hooks.received and time.monotonic() < deadline:
                    time.sleep(0.1)
            finally:
                server.terminate()
                server.wait(timeout=20)
    [ping] = hooks.received
    assert verify(ping.body, ping.headers["X-ElNudge-Signature"], created["secret"])
