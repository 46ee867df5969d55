"""A key's revocation, and a change of its site's window, reach every worker on its very next
request, although the hot read routes remember key rows between requests on SQLite
(`Database.memo`: until another connection commits).

Two workers here are two apps with databases of their own on the same database, as the
processes of `elnudge serve --workers 2` are; the change is committed by a third connection.
Both backends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import create_database
from elnudge.keys import service as keys
from elnudge.provisioning import CreatedSite
from elnudge.runtime import build_runtime
from elnudge.sites.repository import update_site
from elnudge.vocabulary import KeyKind
from tests.storefront import ShopApi, page_view


@pytest.fixture
def workers(settings: Settings, clock: FrozenClock) -> Iterator[list[TestClient]]:
    databases = [create_database(settings.database_url) for _ in range(2)]
    apps = [
        create_app(runtime=build_runtime(settings, database=database, clock=clock))
        for database in databases
    ]
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        yield [first, second]
    for database in databases:
        database.dispose()


def test_a_revoked_key_is_refused_by_every_worker_at_once(
    workers: list[TestClient],
    shop: ShopApi,
    site: CreatedSite,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    shop.ingest(page_view("2026-05-01T11:00:00Z", "/"))
    session_id = shop.sessions()[0]["id"]
    headers = {"Authorization": f"Bearer {site.secret_key_live}"}
    urls = ("/v1/sessions", f"/v1/sessions/{session_id}")
    for worker in workers:
        for _ in range(3):  # seen, and remembered
            assert all(worker.get(url, headers=headers).status_code == 200 for url in urls)
    other = create_database(settings.database_url)
    with other.write() as connection:
        principal = keys.authenticate(
            connection, site.secret_key_live, kind=KeyKind.SECRET, now_ms=clock.now_ms()
        )
        keys.revoke_key(connection, principal.key_id, now_ms=clock.now_ms())
    other.dispose()
    for worker in workers:
        for url in urls:
            response = worker.get(url, headers=headers)
            assert response.status_code == 401, url
            assert response.json()["error"] == "Unauthorized"


def test_a_narrower_window_applies_on_every_worker_at_once(
    workers: list[TestClient], shop: ShopApi, site: CreatedSite, settings: Settings
) -> None:
    shop.ingest(page_view("2026-04-29T10:00:00Z", "/", session="ses_old"))  # two days ago
    session_id = shop.sessions()[0]["id"]
    headers = {"Authorization": f"Bearer {site.secret_key_live}"}
    for worker in workers:
        for _ in range(3):
            assert len(worker.get("/v1/sessions", headers=headers).json()["data"]) == 1
            assert worker.get(f"/v1/sessions/{session_id}", headers=headers).status_code == 200
    other = create_database(settings.database_url)
    with other.write() as connection:
        update_site(connection, site.site_id, plan="enterprise", api_window_days=1)
    other.dispose()
    for worker in workers:
        assert worker.get("/v1/sessions", headers=headers).json()["data"] == []
        assert worker.get(f"/v1/sessions/{session_id}", headers=headers).status_code == 404
