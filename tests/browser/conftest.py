"""A real server and Debian's Chromium, driven by Playwright.

The server is the real app under uvicorn, on a free 127.0.0.1 port and a temporary SQLite
database, with the demo shop mounted. Chromium is the system one (`/usr/bin/chromium`): no
browser is ever downloaded. Without it these tests skip, except with CI=true, where they fail.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from elnudge.app import create_app
from elnudge.config import Settings
from elnudge.db import Database, create_database
from elnudge.db.migrate import upgrade
from elnudge.db.tables import events, sessions
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import build_runtime
from elnudge.sites.engine import update_engine_settings
from elnudge.storefront import ShopConfig, create_storefront

CHROMIUM = os.environ.get("ELNUDGE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A desktop Chrome's user agent: headless Chromium's own says "HeadlessChrome", which the
# server rightly files as a bot (one test checks exactly that).
DESKTOP_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
T = TypeVar("T")


def _missing_browser() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (scripts/install dev)"
    return None


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    reason = _missing_browser()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: browser tests must run, not skip)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    """Chromium posing as desktop Chrome. The switch, unlike a context's user_agent, also
    covers the beacons Chromium sends after a page is gone."""
    args = [*CHROMIUM_ARGS, f"--user-agent={DESKTOP_CHROME}"]
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    yield chromium
    chromium.close()


@pytest.fixture
def headless_browser(playwright: Any) -> Iterator[Any]:
    """Chromium with its own user agent, which says HeadlessChrome."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(check: Callable[[], T | None], *, timeout: float = 15, what: str = "") -> T:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what or check}")
        time.sleep(0.1)


class ShiftedClock:
    """The system clock, moved forward on demand: the server's time flows as usual, and a test
    can jump it past a rule's window (the engine's 60 s between nudges) without waiting."""

    def __init__(self) -> None:
        self.shift_ms = 0

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000 + self.shift_ms

    def advance(self, *, seconds: float) -> None:
        self.shift_ms += int(seconds * 1000)


@dataclass
class LiveShop:
    """The running server: the demo shop's URL, its site, the API, the database and the
    server's clock."""

    base: str
    site: CreatedSite
    database: Database
    api: httpx.Client
    clock: ShiftedClock

    @property
    def shop(self) -> str:
        return self.base + "/shop"

    def sessions(self) -> list[dict[str, Any]]:
        response = self.api.get("/v1/sessions")
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return data

    def detail(self, session_id: str) -> dict[str, Any]:
        response = self.api.get(f"/v1/sessions/{session_id}")
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    def stored_events(self) -> list[dict[str, Any]]:
        """Every stored event of the site, bots included, oldest first."""
        query = (
            select(events)
            .where(events.c.site_id == self.site.site_id)
            .order_by(events.c.occurred_at, events.c.event_id)
        )
        with self.database.read() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def stored_sessions(self) -> list[dict[str, Any]]:
        query = select(sessions).where(sessions.c.site_id == self.site.site_id)
        with self.database.read() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def event_types(self) -> list[str]:
        return [row["type"] for row in self.stored_events()]


class _ServerThread:
    def __init__(self, app: Any, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> _ServerThread:
        self.thread.start()
        wait_for(lambda: self.server.started, timeout=20, what="uvicorn to start")
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def running_shop(directory: Path, **overrides: Any) -> Iterator[LiveShop]:
    """The real server on a free port, with a fresh database and site in `directory`;
    `overrides`: settings other than the defaults (an llm endpoint, say)."""
    url = f"sqlite:///{directory / 'browser.db'}"
    database = create_database(url)
    upgrade(database)
    clock = ShiftedClock()
    settings = Settings(database_url=url, migrate_on_start=False, **overrides)
    runtime = build_runtime(settings, database=database, clock=clock)
    with database.write() as connection:
        site = create_site(
            connection, name="Browser Shop", plan="starter", now_ms=runtime.clock.now_ms()
        )
        # No shopper of these tests is held out at random (the default holds out 10%).
        update_engine_settings(connection, site.site_id, {"holdout_percent": 0})
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(runtime=runtime)
    app.mount("/shop", create_storefront(ShopConfig(site_key=site.site_key_live)))
    # The same shop, loading the SDK from an absolute 127.0.0.1 URL: browsed at localhost,
    # its relay calls are cross-origin, as on a real storefront.
    cross = ShopConfig(site_key=site.site_key_live, sdk_url=base + "/sdk.js", base="/xshop")
    app.mount("/xshop", create_storefront(cross))
    # The same shop with the site's test key.
    staging = ShopConfig(site_key=site.site_key_test, base="/tshop")
    app.mount("/tshop", create_storefront(staging))
    headers = {"Authorization": f"Bearer {site.secret_key_live}"}
    try:
        with _ServerThread(app, port), httpx.Client(base_url=base, headers=headers) as api:
            yield LiveShop(base=base, site=site, database=database, api=api, clock=clock)
    finally:
        database.dispose()


@pytest.fixture
def live_shop(tmp_path: Path) -> Iterator[LiveShop]:
    """A fresh database, site and server per test: sessions never leak between tests."""
    with running_shop(tmp_path) as shop:
        yield shop


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (its own sessionStorage) that looks like desktop Chrome."""
    browser_context = browser.new_context()
    yield browser_context
    browser_context.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A tab that fails the test on any uncaught error in the page."""
    errors: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    assert errors == [], f"errors thrown in the page: {errors}"
