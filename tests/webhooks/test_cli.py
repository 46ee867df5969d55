"""`elnudge webhooks …` run for real, and the worker inside `elnudge serve` delivering a ping to
a receiver on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner, Result

from elnudge.cli.main import app
from elnudge.provisioning import CreatedSite
from elnudge.webhooks import verify
from tests.cli.test_cli import ELNUDGE, _free_port, _wait_for, run, run_json
from tests.webhooks.receiver import receiver

LOCAL = {"ELNUDGE_WEBHOOKS_ALLOW_LOCAL": "true"}
PUBLIC = "https://93.184.215.14/hooks"


def cli(database_url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    """The command in process (so its lines count for coverage)."""
    return CliRunner().invoke(
        app,
        list(args),
        env={"ELNUDGE_DATABASE_URL": database_url, "COLUMNS": "200", **(env or {})},
    )


def cli_json(database_url: str, *args: str) -> dict[str, Any]:
    result = cli(database_url, *args, "--json")
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = orjson.loads(result.stdout)
    return parsed


def test_the_commands(database_url: str, site: CreatedSite) -> None:
    site_id = site.site_id
    refused = cli(database_url, "webhooks", "create", site_id, "--url", "https://10.0.0.8/x")
    assert refused.exit_code == 1 and "not a public address" in refused.output
    local = cli(database_url, "webhooks", "create", site_id, "--url", "http://127.0.0.1:9/")
    assert local.exit_code == 1 and "https" in local.output
    unknown = cli(database_url, "webhooks", "create", site_id, "--url", PUBLIC, "--event", "x.y")
    assert unknown.exit_code == 1 and "Unknown event" in unknown.output
    created = cli_json(
        database_url, "webhooks", "create", site_id, "--url", PUBLIC, "--event", "session.converted"
    )
    assert list(created) == ["id", "secret"] and created["secret"].startswith("whsec_")
    endpoint = created["id"]
    listed = cli_json(database_url, "webhooks", "list", site_id)["data"]
    assert listed == [
        {
            "id": endpoint,
            "site_id": site_id,
            "url": PUBLIC,
            "events": ["session.converted"],
            "enabled": True,
            "failing_since": None,
        }
    ]
    table = cli(database_url, "webhooks", "list", site_id).output
    assert endpoint in table and created["secret"] not in table
    rotated = cli_json(database_url, "webhooks", "rotate", endpoint)
    assert rotated["secret"] not in (created["secret"], None)
    assert "old secret keeps signing" in cli(database_url, "webhooks", "rotate", endpoint).output
    queued = cli_json(database_url, "webhooks", "test", endpoint)
    assert "Queued ping" in cli(database_url, "webhooks", "test", endpoint).output
    log = cli_json(database_url, "webhooks", "deliveries", endpoint)["data"]
    assert [(e["event"], e["status"]) for e in log] == [("ping", "pending")] * 2
    assert queued["event_id"] in {entry["event_id"] for entry in log}
    assert "pending" in cli(database_url, "webhooks", "deliveries", endpoint).output
    text = cli(database_url, "webhooks", "create", site_id, "--url", PUBLIC).output
    assert "whsec_" in text and "not shown again" in text
    deleted = cli(database_url, "webhooks", "delete", endpoint)
    assert f"Deleted webhook endpoint {endpoint}" in deleted.output
    gone = cli(database_url, "webhooks", "rotate", endpoint)
    assert gone.exit_code == 1 and "No webhook endpoint" in gone.output


def test_sites_delete_in_process(database_url: str, site: CreatedSite) -> None:
    asked = CliRunner().invoke(
        app,
        ["sites", "delete", site.site_id],
        input="n\n",
        env={"ELNUDGE_DATABASE_URL": database_url},
    )
    assert asked.exit_code == 1 and "Test Shop" in asked.output
    assert cli(database_url, "sites", "delete", "site_nope", "--yes").exit_code == 1
    done = cli(database_url, "sites", "delete", site.site_id, "--yes")
    assert done.exit_code == 0 and f"Deleted {site.site_id}: 4 keys" in done.output


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
