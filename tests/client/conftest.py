"""Fixtures of the client's tests: the real API, reached two ways, on both backends.

`api` is parametrised over the app in this process (httpx's ASGI transport) and a live
`elnudge serve` subprocess; both sit on the `database_url` of the suite (SQLite and
PostgreSQL), so every contract test runs four times. Each test gets a fresh site.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import httpx
import pytest

from elnudge import AsyncClient, Client
from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import Database
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import build_runtime
from elnudge.timestamps import parse_timestamp
from tests.client.servers import BlockingASGITransport, LiveServer
from tests.conftest import NOW

# Every test has its own site, and so its own key's limit: high enough for a test's walks,
# low enough that the 429 test reaches it in a few hundred requests.
RATE_LIMIT = "300/minute"
IN_PROCESS_URL = "http://elnudge.test"


@dataclass
class Api:
    """One way of reaching the API, with a fresh site and the server's notion of now."""

    name: str
    base_url: str
    now: datetime
    site: CreatedSite
    sync_transport: Callable[[], httpx.BaseTransport | None]
    async_transport: Callable[[], httpx.AsyncBaseTransport | None]

    @property
    def key(self) -> str:
        return self.site.secret_key_live

    def client(self, key: str | None = None, **options: Any) -> Client:
        options.setdefault("sleep", _no_real_waits)
        return Client(
            key or self.key, base_url=self.base_url, transport=self.sync_transport(), **options
        )

    def async_client(self, key: str | None = None, **options: Any) -> AsyncClient:
        options.setdefault("sleep", _no_real_async_waits)
        return AsyncClient(
            key or self.key, base_url=self.base_url, transport=self.async_transport(), **options
        )

    def raw(self) -> httpx.Client:
        """Plain httpx with the key: the API as curl would see it."""
        headers = {"Authorization": f"Bearer {self.key}"}
        return httpx.Client(
            base_url=self.base_url, headers=headers, transport=self.sync_transport()
        )


def _no_real_waits(seconds: float) -> None:
    raise AssertionError(f"this test must not wait ({seconds} s)")


async def _no_real_async_waits(seconds: float) -> None:
    raise AssertionError(f"this test must not wait ({seconds} s)")


LiveServers = Callable[..., LiveServer]


@pytest.fixture(scope="session")
def live_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServers]:
    """`elnudge serve` per database and rate limit, started on first use, stopped at the end."""
    started: dict[tuple[str, str], LiveServer] = {}
    logs = tmp_path_factory.mktemp("live-servers")

    @cache
    def server_for(database_url: str, rate_limit: str = RATE_LIMIT) -> LiveServer:
        log = logs / f"serve-{len(started)}.log"
        server = LiveServer(database_url, log, ELNUDGE_RATE_LIMIT=rate_limit)
        started[database_url, rate_limit] = server
        return server

    yield server_for
    for server in started.values():
        server.stop()


def new_site(database: Database, now_ms: int) -> CreatedSite:
    with database.write() as connection:
        return create_site(connection, name="Client Shop", plan="starter", now_ms=now_ms)


@pytest.fixture(params=["in-process", "live"])
def api(
    request: pytest.FixtureRequest,
    database_url: str,
    database: Database,
    live_servers: LiveServers,
) -> Iterator[Api]:
    if request.param == "live":
        server = live_servers(database_url)
        now_ms = time.time_ns() // 1_000_000
        yield Api(
            "live",
            server.base_url,
            _datetime(now_ms),
            new_site(database, now_ms),
            lambda: None,
            lambda: None,
        )
        return
    settings = Settings(database_url=database_url, migrate_on_start=False, rate_limit=RATE_LIMIT)
    clock = FrozenClock(parse_timestamp(NOW))
    app = create_app(runtime=build_runtime(settings, database=database, clock=clock))
    transports: list[BlockingASGITransport] = []

    def sync_transport() -> httpx.BaseTransport:
        transports.append(BlockingASGITransport(app))
        return transports[-1]

    yield Api(
        "in-process",
        IN_PROCESS_URL,
        _datetime(clock.now_ms()),
        new_site(database, clock.now_ms()),
        sync_transport,
        lambda: httpx.ASGITransport(app),
    )
    for transport in transports:
        transport.close()


def _datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def shopper_sessions(now: datetime, count: int, *, prefix: str = "ses") -> list[dict[str, Any]]:
    """`count` one-page sessions, one minute apart, ending a minute before `now`; some share a
    start time, so the walk also crosses ties (ordered by id)."""
    events = []
    for index in range(count):
        started = now - timedelta(minutes=1 + index // 3)
        events.append(
            {
                "session_id": f"{prefix}_{index}",
                "event": "PAGE_VIEW",
                "ts": started.isoformat().replace("+00:00", "Z"),
                "url": f"https://shop.example/products/{index}",
            }
        )
    return events


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
