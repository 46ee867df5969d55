"""Dashboard users: creation rules, password hashes, sign-in sessions, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from elnudge.db.tables import dashboard_sessions, users
from elnudge.errors import InvalidRequest, NotFound
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.users import service

ELNUDGE = str(Path(sys.executable).with_name("elnudge"))
PASSWORD = "correct horse battery"


def create(runtime: Runtime, site: CreatedSite, email: str, role: str = "owner") -> str:
    with runtime.database.write() as connection:
        return service.create_user(
            connection,
            email=email,
            password=PASSWORD,
            site_id=site.site_id,
            role=role,
            now_ms=runtime.clock.now_ms(),
        )


def test_the_password_is_stored_as_an_argon2id_hash(runtime: Runtime, site: CreatedSite) -> None:
    user_id = create(runtime, site, f"Hash-{site.site_id}@Example.com ")
    with runtime.database.read() as connection:
        row = connection.execute(select(users).where(users.c.user_id == user_id)).mappings().one()
    assert row["email"] == f"hash-{site.site_id.lower()}@example.com"
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]


@pytest.mark.parametrize(
    ("email", "password", "role", "param"),
    [
        ("not-an-email", PASSWORD, "owner", "email"),
        ("a@b.co", "short", "owner", "password"),
        ("a@b.co", PASSWORD, "admin", "role"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    runtime: Runtime, site: CreatedSite, email: str, password: str, role: str, param: str
) -> None:
    with pytest.raises(InvalidRequest) as refused, runtime.database.write() as connection:
        service.create_user(
            connection,
            email=email,
            password=password,
            site_id=site.site_id,
            role=role,
            now_ms=0,
        )
    assert refused.value.param == param


def test_an_unknown_site_is_a_404(runtime: Runtime) -> None:
    with pytest.raises(NotFound), runtime.database.write() as connection:
        service.create_user(
            connection,
            email="x@y.co",
            password=PASSWORD,
            site_id="site_nope",
            role="owner",
            now_ms=0,
        )


def test_sign_in_stores_only_the_hash_of_the_token_and_sign_out_ends_it(
    runtime: Runtime, site: CreatedSite
) -> None:
    email = f"session-{site.site_id.lower()}@example.com"
    create(runtime, site, email)
    now = runtime.clock.now_ms()
    with runtime.database.write() as connection:
        wrong = service.sign_in(
            connection, email=email, password="nope" * 3, now_ms=now, lifetime_ms=1000
        )
        token = service.sign_in(
            connection, email=email, password=PASSWORD, now_ms=now, lifetime_ms=1000
        )
        unknown = service.sign_in(
            connection, email="nobody@x.co", password=PASSWORD, now_ms=now, lifetime_ms=1000
        )
    assert wrong is None and unknown is None and token is not None
    with runtime.database.read() as connection:
        stored = [row.token_hash for row in connection.execute(select(dashboard_sessions))]
        user = service.signed_in_user(connection, token, now)
        expired = service.signed_in_user(connection, token, now + 1000)
    assert token not in stored and service.hash_token(token) in stored
    assert user is not None and [s.site_id for s in user.sites] == [site.site_id]
    assert expired is None
    with runtime.database.write() as connection:
        service.sign_out(connection, token)
    with runtime.database.read() as connection:
        assert service.signed_in_user(connection, token, now) is None


def test_deleting_a_user_ends_their_sessions(runtime: Runtime, site: CreatedSite) -> None:
    email = f"gone-{site.site_id.lower()}@example.com"
    create(runtime, site, email)
    now = runtime.clock.now_ms()
    with runtime.database.write() as connection:
        token = service.sign_in(
            connection, email=email, password=PASSWORD, now_ms=now, lifetime_ms=10**6
        )
        assert token is not None
        service.delete_user(connection, email)
    with runtime.database.read() as connection:
        assert service.signed_in_user(connection, token, now) is None
    with pytest.raises(NotFound), runtime.database.write() as connection:
        service.delete_user(connection, email)


def run(
    database_url: str, *args: str, stdin: str = "", check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ELNUDGE_DATABASE_URL": database_url, "COLUMNS": "200"}
    result = subprocess.run(
        [ELNUDGE, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_users_cli_create_list_delete(database_url: str) -> None:
    site = json.loads(run(database_url, "sites", "create", "--name", "Users", "--json").stdout)
    email = f"cli-{site['site_id'].lower()}@example.com"
    created = run(
        database_url,
        "users",
        "create",
        "--email",
        email,
        "--site",
        site["site_id"],
        "--role",
        "viewer",
        "--password-stdin",
        "--json",
        stdin=PASSWORD + "\n",
    )
    assert json.loads(created.stdout)["role"] == "viewer"
    listed = run(database_url, "users", "list").stdout
    assert email in listed and "viewer" in listed and PASSWORD not in listed
    run(database_url, "users", "delete", email)
    assert email not in run(database_url, "users", "list").stdout


def test_users_cli_refuses_a_password_flag_or_a_short_password(database_url: str) -> None:
    site = json.loads(run(database_url, "sites", "create", "--name", "Users", "--json").stdout)
    no_stdin = run(
        database_url,
        "users",
        "create",
        "--email",
        "a@b.co",
        "--site",
        site["site_id"],
        check=False,
    )
    assert no_stdin.returncode == 2 and "--password-stdin" in no_stdin.stderr
    short = run(
        database_url,
        "users",
        "create",
        "--email",
        "a@b.co",
        "--site",
        site["site_id"],
        "--password-stdin",
        stdin="short\n",
        check=False,
    )
    assert short.returncode == 1 and "password" in short.stderr


def test_sites_update_timezone_shows_in_sites_show(database_url: str) -> None:
    site = json.loads(run(database_url, "sites", "create", "--name", "Zone", "--json").stdout)
    shown = json.loads(run(database_url, "sites", "show", site["site_id"], "--json").stdout)
    assert shown["timezone"] == "UTC"
    run(database_url, "sites", "update", site["site_id"], "--timezone", "Europe/Paris")
    shown = json.loads(run(database_url, "sites", "show", site["site_id"], "--json").stdout)
    assert shown["timezone"] == "Europe/Paris"
    bad = run(
        database_url, "sites", "update", site["site_id"], "--timezone", "Mars/Olympus", check=False
    )
    assert bad.returncode == 1 and "time zone" in bad.stderr
