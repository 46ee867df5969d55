"""Fixtures shared by the whole suite.

`database` is parametrised over SQLite and PostgreSQL: every test that uses it runs on both.
Each backend gets one freshly created, migrated database per test session (dropped at the end);
tests stay independent by working in sites of their own (everything is scoped by site).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import Database, create_database
from elnudge.db.migrate import upgrade
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime, build_runtime
from elnudge.timestamps import parse_timestamp
from tests.storefront import Relay, ShopApi

# No Hypothesis deadline or "too slow" check anywhere: both are timed assertions, and a loaded
# CI core is slow.
hypothesis.settings.register_profile(
    "elnudge", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("elnudge")

POSTGRES_ADMIN_URL = os.environ.get(
    "ELNUDGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NOW = "2026-05-01T12:00:00Z"


def _admin_connection() -> psycopg.Connection[tuple[Any, ...]]:
    url = make_url(POSTGRES_ADMIN_URL)
    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname=url.database or "postgres",
        autocommit=True,
        connect_timeout=3,
    )


def postgres_database_url() -> Iterator[str]:
    """Create a throwaway PostgreSQL database; skip (or, in CI, fail) when there is no server."""
    try:
        admin = _admin_connection()
    except Exception as error:
        reason = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run, not skip)")
        pytest.skip(reason)
    name = f"elnudge_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url_for(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'elnudge-test.db'}"
    else:
        yield from postgres_database_url()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database's URL, one per backend for the whole session."""
    url_iterator = database_url_for(request.param, tmp_path_factory.mktemp(request.param))
    url = next(url_iterator)
    database = create_database(url)
    upgrade(database)
    database.dispose()
    yield url
    next(url_iterator, None)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = create_database(database_url)
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database of its own, for tests that need a whole database
    (migrations, purge)."""
    yield from database_url_for(request.param, tmp_path)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(parse_timestamp(NOW))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, migrate_on_start=False)


@pytest.fixture
def runtime(settings: Settings, database: Database, clock: FrozenClock) -> Runtime:
    return build_runtime(settings, database=database, clock=clock)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def site(runtime: Runtime) -> CreatedSite:
    """A fresh starter-plan site: tests never see each other's data."""
    with runtime.database.write() as connection:
        return create_site(
            connection, name="Test Shop", plan="starter", now_ms=runtime.clock.now_ms()
        )


@pytest.fixture
def shop(client: TestClient, site: CreatedSite) -> ShopApi:
    """The site's live-mode API."""
    return ShopApi(client, site.secret_key_live)


@pytest.fixture
def relay(client: TestClient, site: CreatedSite) -> Relay:
    """The relay with the site's live public key, as a desktop Chrome on the shop's origin."""
    return Relay(client, site.site_key_live)
