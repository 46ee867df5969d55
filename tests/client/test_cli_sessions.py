"""`elnudge sessions list|get` against a live server on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest

from elnudge.db import create_database
from tests.client.commands import Store, fill_store
from tests.client.conftest import LiveServers, new_site
from tests.client.test_export import UNLIMITED


@pytest.fixture(scope="module")
def small_store(database_url: str, live_servers: LiveServers) -> Iterator[Store]:
    server = live_servers(database_url, UNLIMITED)
    database = create_database(database_url)
    site = new_site(database, int(time.time() * 1000))
    database.dispose()
    yield fill_store(server.base_url, site.secret_key_live, 7)


def test_sessions_list_prints_a_page_and_the_next_cursor(small_store: Store) -> None:
    as_json = json.loads(small_store.run("sessions", "list", "--limit", "5", "--json").stdout)
    assert len(as_json["data"]) == 5 and as_json["has_more"] is True
    table = small_store.run("sessions", "list", "--limit", "5").stdout
    assert all(item["id"] in table for item in as_json["data"])  # ids are never cut
    cursor = re.search(r"Next page: --cursor (\S+)", table)
    assert cursor is not None
    rest = small_store.run("sessions", "list", "--cursor", cursor.group(1), "--json")
    assert len(json.loads(rest.stdout)["data"]) == 2


def test_sessions_get_prints_the_session(small_store: Store) -> None:
    listed = json.loads(small_store.run("sessions", "list", "--json").stdout)["data"][0]
    detail = json.loads(small_store.run("sessions", "get", listed["id"], "--json").stdout)
    assert {key: detail["data"][key] for key in listed} == listed
    shown = small_store.run("sessions", "get", listed["id"]).stdout
    assert listed["id"] in shown and "PAGE_VIEW" in shown and "Events" in shown


def test_errors_are_one_line_with_the_request_id(small_store: Store) -> None:
    missing = small_store.run("sessions", "get", "sess_01HY8QVZK3MN2PXRT5GW4JCBD", check=False)
    assert missing.returncode == 1 and "404" in missing.stderr and "req_" in missing.stderr
    bad = small_store.run("sessions", "list", "--limit", "500", check=False)
    assert bad.returncode == 1 and "param: limit" in bad.stderr
    wrong_key = small_store.run("sessions", "list", "--api-key", "sk_live_wrong", check=False)
    assert wrong_key.returncode == 1 and "401" in wrong_key.stderr
    assert "sk_live_wrong" not in wrong_key.stderr
    nowhere = small_store.run("sessions", "list", "--api-url", "http://127.0.0.1:9", check=False)
    assert nowhere.returncode == 1 and "Could not reach" in nowhere.stderr
