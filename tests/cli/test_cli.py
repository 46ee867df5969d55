"""The `elnudge` command, run for real as a subprocess against SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from elnudge.keys.tokens import parse_key
from elnudge.web import serving

ELNUDGE = str(Path(sys.executable).with_name("elnudge"))


def run(
    database_url: str,
    *args: str,
    check: bool = True,
    stdin: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ELNUDGE_DATABASE_URL": database_url,
        "COLUMNS": "200",
        **(extra_env or {}),
    }
    result = subprocess.run(
        [ELNUDGE, *args], env=env, capture_output=True, text=True, timeout=120, input=stdin
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def run_json(
    database_url: str, *args: str, extra_env: dict[str, str] | None = None
) -> dict[str, Any]:
    output: dict[str, Any] = json.loads(
        run(database_url, *args, "--json", extra_env=extra_env).stdout
    )
    return output


def test_sites_create_json_has_exactly_the_documented_fields(database_url: str) -> None:
    created = run_json(database_url, "sites", "create", "--name", "Acme Running", "--plan", "scale")
    assert list(created) == [
        "site_id",
        "plan",
        "secret_key_live",
        "secret_key_test",
        "site_key_live",
        "site_key_test",
    ]
    assert created["site_id"].startswith("site_") and created["plan"] == "scale"
    kinds = {name: parse_key(created[name]) for name in list(created)[2:]}
    assert {(k.kind, k.mode) for k in kinds.values() if k} == {
        ("secret", "live"),
        ("secret", "test"),
        ("public", "live"),
        ("public", "test"),
    }


def test_bad_plan_is_a_clear_error(database_url: str) -> None:
    result = run(database_url, "sites", "create", "--name", "X", "--plan", "platinum", check=False)
    assert result.returncode == 1 and "Unknown plan" in result.stderr


def test_keys_create_refuses_an_unknown_kind_naming_the_flag(database_url: str) -> None:
    site = run_json(database_url, "sites", "create", "--name", "Kinds")
    refused = run(database_url, "keys", "create", site["site_id"], "--kind", "publik", check=False)
    assert refused.returncode == 2 and "--kind" in refused.stderr


def test_keys_lifecycle(database_url: str) -> None:
    site = run_json(database_url, "sites", "create", "--name", "Keys")
    issued = run_json(database_url, "keys", "create", site["site_id"], "--mode", "test")
    assert issued["key"].startswith("sk_test_")
    rolled = run_json(database_url, "keys", "roll", issued["key_id"], "--grace-seconds", "60")
    assert rolled["key"] != issued["key"] and rolled["mode"] == "test"
    listing = run(database_url, "keys", "list", site["site_id"]).stdout
    assert issued["key_id"] in listing and "expires" in listing
    assert issued["key"] not in listing
    run(database_url, "keys", "revoke", rolled["key_id"])
    again = run(database_url, "keys", "revoke", rolled["key_id"], check=False)
    assert again.returncode == 1


def test_sites_update_changes_plan_and_enterprise_overrides(database_url: str) -> None:
    site = run_json(database_url, "sites", "create", "--name", "Up")
    updated = run_json(
        database_url,
        "sites",
        "update",
        site["site_id"],
        "--plan",
        "enterprise",
        "--api-window-days",
        "180",
    )
    assert updated["plan"] == "enterprise" and updated["api_window_days"] == 180
    refused = run(
        database_url,
        "sites",
        "update",
        site["site_id"],
        "--plan",
        "growth",
        "--storage-days",
        "5",
        check=False,
    )
    assert refused.returncode == 1 and "enterprise" in refused.stderr


def test_db_upgrade_and_purge_run(database_url: str) -> None:
    assert "newest schema" in run(database_url, "db", "upgrade").stdout
    assert "Purged" in run(database_url, "purge").stdout


@pytest.mark.slow
@pytest.mark.parametrize("access_log", [False, True])
def test_serve_answers_the_api(database_url: str, tmp_path: Path, access_log: bool) -> None:
    site = run_json(database_url, "sites", "create", "--name", "Served")
    output = tmp_path / "server.log"
    flags = ["--access-log"] if access_log else []
    with _served(database_url, output, *flags) as (_, port):
        response = _wait_for(f"http://127.0.0.1:{port}/v1/sessions", site["secret_key_live"])
        assert response.status_code == 200
        assert response.json() == {"data": [], "next_cursor": None, "has_more": False}
    # No access log unless asked for: each line names the client's address (personal data).
    logged = output.read_text()
    assert ("127.0.0.1" in logged and "GET /v1/sessions" in logged) == access_log, logged


@pytest.mark.slow
@pytest.mark.skipif(not serving.REUSE_PORT, reason="a socket per worker needs Linux's SO_REUSEPORT")
def test_serve_gives_each_worker_a_socket_of_its_own(database_url: str, tmp_path: Path) -> None:
    """Each of the workers listens on its own socket, so the kernel spreads new connections
    over them (uvicorn's workers share one, which the first awake drains)."""
    site = run_json(database_url, "sites", "create", "--name", "Served by two")
    log = tmp_path / "server.log"
    with _served(database_url, log, "--workers", "2", ELNUDGE_WEBHOOKS_WORKER="false") as (
        server,
        port,
    ):
        response = _wait_for(f"http://127.0.0.1:{port}/v1/sessions", site["secret_key_live"])
        assert response.status_code == 200
        deadline = time.monotonic() + 30
        while len(owners := _listeners(port)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(owners) == 2, owners  # two sockets...
        assert len(set(owners.values())) == 2, owners  # ...in two processes
        assert server.pid not in owners.values()  # the supervisor only keeps the port


@pytest.mark.slow
@pytest.mark.skipif(not serving.REUSE_PORT, reason="a socket per worker needs Linux's SO_REUSEPORT")
def test_serve_refuses_a_port_another_server_shares(database_url: str) -> None:
    """A port taken by a server that listens with SO_REUSEPORT (say, another `elnudge serve
    --workers 2`) is refused as uvicorn refuses any port in use, not silently shared."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        server = subprocess.Popen(
            [ELNUDGE, "serve", "--port", str(port), "--workers", "2"],
            env={**os.environ, "ELNUDGE_DATABASE_URL": database_url},
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its workers too can be stopped if it does serve
        )
        try:
            _, errors = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
            pytest.fail("serve shared a port that another server listens on")
    assert server.returncode == serving.STARTUP_FAILURE
    assert "Address already in use" in errors


def _listeners(port: int) -> dict[int, int]:
    """The sockets listening on 127.0.0.1:`port` (their inodes), each with its process."""
    inodes = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], int(fields[9])
            if local == f"0100007F:{port:04X}" and state == "0A":  # LISTEN
                inodes.add(inode)
    owners = {}
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            target = os.readlink(fd)
        except OSError:  # a process or descriptor that has just gone
            continue
        if target.startswith("socket:[") and int(target[8:-1]) in inodes:
            owners[int(target[8:-1])] = int(fd.parts[2])
    return owners


@contextmanager
def _served(
    database_url: str, log: Path, *flags: str, **environment: str
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`elnudge serve` on a free port, its output in `log`; stopped when the block ends."""
    port = _free_port()
    env = {**os.environ, "ELNUDGE_DATABASE_URL": database_url, **environment}
    with log.open("wb") as output:
        server = subprocess.Popen(
            [ELNUDGE, "serve", "--port", str(port), *flags],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield server, port
        finally:
            server.terminate()
            server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(url: str, key: str) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_knowledge_add_import_list_remove(database_url: str, tmp_path: Path) -> None:
    site = run_json(database_url, "sites", "create", "--name", "Knows")["site_id"]
    added = run_json(
        database_url,
        "knowledge", "add", site, "--title", "Do you ship to Canada?", "--body", "Yes.",
    )  # fmt: skip
    csv_file = tmp_path / "faq.csv"
    csv_file.write_text("kind,title,body,url\npolicy,Returns,30 days.,/returns\n")
    assert run_json(database_url, "knowledge", "import", site, str(csv_file)) == {"added": 1}
    listed = run_json(database_url, "knowledge", "list", site)["data"]
    assert [entry["title"] for entry in listed] == ["Do you ship to Canada?", "Returns"]
    assert listed[0]["id"] == added["id"]
    assert "Returns" in run(database_url, "knowledge", "list", site).stdout
    run(database_url, "knowledge", "remove", site, added["id"])
    assert len(run_json(database_url, "knowledge", "list", site)["data"]) == 1
    csv_file.write_text("kind,title,body\nfaq,Q,A\nblog,Q,A\n")
    refused = run(database_url, "knowledge", "import", site, str(csv_file), check=False)
    assert refused.returncode == 1 and "Line 3" in refused.stderr
    gone = run(database_url, "knowledge", "remove", site, added["id"], check=False)
    assert gone.returncode == 1 and "No knowledge entry" in gone.stderr


def test_sites_update_chooses_the_chat_responder(database_url: str) -> None:
    site = run_json(database_url, "sites", "create", "--name", "Humans")["site_id"]
    run(database_url, "sites", "update", site, "--chat-responder", "human")
    refused = run(database_url, "sites", "update", site, "--chat-responder", "robot", check=False)
    assert refused.returncode == 1 and "knowledge, llm, human" in refused.stderr
