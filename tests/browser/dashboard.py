"""A live server with a demo store and its dashboard users, for the dashboard's browser tests
and screenshots: a month of simulated shoppers through the real ingestion path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from elnudge.app import create_app
from elnudge.clock import SystemClock
from elnudge.config import Settings
from elnudge.db import Database, create_database
from elnudge.db.migrate import upgrade
from elnudge.demo import create_demo_site
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import build_runtime
from elnudge.users.service import create_user
from tests.browser.conftest import _ServerThread, free_port

PASSWORD = "correct horse battery"
OWNER, VIEWER, LOCKED = "owner@example.com", "viewer@example.com", "locked@example.com"
AXE = Path(__file__).with_name("vendor") / "axe.min.js"


@dataclass
class LiveDashboard:
    base: str
    url: str  # the database's, for `elnudge sites show`
    site: CreatedSite
    other: CreatedSite  # a site none of the users may see
    database: Database
    api: httpx.Client

    def page_url(self, page: str, site: CreatedSite | None = None) -> str:
        return f"{self.base}/dashboard/sites/{(site or self.site).site_id}/{page}"


@contextmanager
def running_dashboard(
    directory: Path, *, days: int = 30, per_day: int = 40
) -> Iterator[LiveDashboard]:
    url = f"sqlite:///{directory / 'dashboard.db'}"
    database = create_database(url)
    upgrade(database)
    settings = Settings(database_url=url, migrate_on_start=False)
    runtime = build_runtime(settings, database=database, clock=SystemClock())
    site = create_demo_site(database, runtime.clock, settings, days=days, sessions_per_day=per_day)
    with database.write() as connection:
        other = create_site(connection, name="Other Store", plan="starter", now_ms=0)
        for email, role in ((OWNER, "owner"), (VIEWER, "viewer"), (LOCKED, "owner")):
            create_user(
                connection,
                email=email,
                password=PASSWORD,
                site_id=site.site_id,
                role=role,
                now_ms=0,
            )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {site.secret_key_live}"}
    try:
        with (
            _ServerThread(create_app(runtime=runtime), port),
            httpx.Client(base_url=base, headers=headers) as api,
        ):
            yield LiveDashboard(base, url, site, other, database, api)
    finally:
        database.dispose()


def sign_in(page: Any, base: str, email: str = OWNER, password: str = PASSWORD) -> None:
    page.goto(f"{base}/dashboard/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (evaluated over the DevTools
    protocol: the page's CSP forbids injected scripts, rightly)."""
    page.evaluate(AXE.read_text())
    result: dict[str, Any] = page.evaluate("axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
