"""`elnudge sites delete` (docs: README "Administration"): the site and every row it owns go,
in batches that can be interrupted and rerun; its keys stop working at the first step; other
sites are untouched. On both backends."""

from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from elnudge.db.tables import metadata
from elnudge.errors import NotFound
from elnudge.privacy.site_deletion import data_tables, delete_site
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime
from tests.cli.test_cli import run, run_json
from tests.privacy.test_erasure import product_view
from tests.storefront import Relay, ShopApi, nudge_reaction, nudge_shown, page_view, purchase

NUDGE = "nudg_01J1BBBBBBBBBBBBBBBBBBBBBB"


def fill(shop: ShopApi, visitors: int = 4) -> None:
    for index in range(visitors):
        options = {"session": f"ses_{index}", "visitor": f"cust_{index}"}
        shop.ingest(
            page_view("2026-04-20T10:00:00Z", "/", **options),
            product_view("2026-04-20T10:00:30Z", **options),
            nudge_shown("2026-04-20T10:01:00Z", f"{NUDGE[:-2]}{index:02d}", "toast", **options),
            nudge_reaction(
                "NUDGE_CLICKED", "2026-04-20T10:02:00Z", f"{NUDGE[:-2]}{index:02d}", **options
            ),
            purchase("2026-04-20T10:05:00Z", **options),
        )
    shop.client.delete("/v1/visitors/cust_0", headers=shop.headers)  # an erasure log row
    # The report stores the days it reads (the report_* rollups).
    report = {"from": "2026-04-19T00:00:00Z"}
    assert shop.client.get("/v1/reports/nudges", headers=shop.headers, params=report).is_success


def rows_per_table(runtime: Runtime, site_id: str) -> dict[str, int]:
    with runtime.database.read() as connection:
        return {
            table.name: connection.execute(
                select(func.count()).select_from(table).where(table.c.site_id == site_id)
            ).scalar_one()
            for table in metadata.sorted_tables
            if "site_id" in table.c
        }


def another_site(runtime: Runtime, client: TestClient) -> tuple[CreatedSite, ShopApi]:
    with runtime.database.write() as connection:
        other = create_site(connection, name="Other", plan="starter", now_ms=runtime.clock.now_ms())
    return other, ShopApi(client, other.secret_key_live)


def test_deletes_every_row_of_the_site_and_nothing_else(
    runtime: Runtime, site: CreatedSite, shop: ShopApi, client: TestClient
) -> None:
    fill(shop)
    other, other_shop = another_site(runtime, client)
    fill(other_shop)
    before = rows_per_table(runtime, site.site_id)
    # Every kind of data but the engine's offers (made by the relay only), webhooks (their own
    # test), and what other areas' tests fill (erasures, dashboard grants, conversations and
    # knowledge: tests/visitors, tests/dashboard, tests/conversations) is there to delete.
    elsewhere = {
        "nudge_offers",
        "webhook_deliveries",
        "erasures",
        "user_sites",
        "conversations",
        "conversation_messages",
        "knowledge_entries",
    }
    assert all(before[table.name] > 0 for table in data_tables() if table.name not in elsewhere)
    other_before = rows_per_table(runtime, other.site_id)

    report = delete_site(runtime.database, site.site_id, now_ms=1, batch_size=3)

    assert rows_per_table(runtime, site.site_id) == dict.fromkeys(before, 0)
    assert rows_per_table(runtime, other.site_id) == other_before
    assert report.keys == 4
    assert report.rows == {
        name: count
        for name, count in before.items()
        if name not in ("sites", "api_keys", "webhook_endpoints")
    }
    assert shop.list().status_code == 401
    assert other_shop.list().status_code == 200
    with pytest.raises(NotFound):
        delete_site(runtime.database, site.site_id, now_ms=1)


def test_keys_die_first_and_an_interrupted_run_finishes_when_rerun(
    runtime: Runtime, site: CreatedSite, shop: ShopApi, relay: Relay
) -> None:
    fill(shop, visitors=6)
    seen: list[tuple[int, int]] = []

    class Interrupted(Exception):
        pass

    def interrupt(table: str, deleted: int) -> None:
        # Batches are running: the keys are dead already, the site and some data still there.
        seen.append(
            (
                shop.list().status_code,
                relay.post(page_view("2026-04-20T11:00:00Z", "/")).status_code,
            )
        )
        if table == "events":
            raise Interrupted

    with pytest.raises(Interrupted):
        delete_site(runtime.database, site.site_id, now_ms=1, batch_size=2, progress=interrupt)
    assert seen and all(status == (401, 401) for status in seen)
    partial = rows_per_table(runtime, site.site_id)
    assert partial["sites"] == 1 and partial["api_keys"] == 0 and partial["events"] > 0

    delete_site(runtime.database, site.site_id, now_ms=1, batch_size=2)
    assert set(rows_per_table(runtime, site.site_id).values()) == {0}


def test_the_command_asks_first(database_url: str) -> None:
    site = run_json(database_url, "sites", "create", "--name", "Doomed Shop")
    refused = run(database_url, "sites", "delete", site["site_id"], check=False, stdin="n\n")
    assert refused.returncode == 1 and "Doomed Shop" in refused.stderr
    assert site["site_id"] in run(database_url, "sites", "list").stdout
    confirmed = run(database_url, "sites", "delete", site["site_id"], stdin="y\n")
    assert f"Deleted {site['site_id']}: 4 keys" in confirmed.stdout
    assert site["site_id"] not in run(database_url, "sites", "list").stdout
    gone = run(database_url, "sites", "delete", site["site_id"], "--yes", check=False)
    assert gone.returncode == 1 and "No site" in gone.stderr


def test_the_command_with_yes_and_json(database_url: str) -> None:
    site = run_json(database_url, "sites", "create", "--name", "Scripted")
    deleted = run_json(database_url, "sites", "delete", site["site_id"], "--yes")
    assert deleted["site_id"] == site["site_id"] and deleted["deleted"] is True
    assert deleted["keys"] == 4 and set(deleted["rows"]) == {t.name for t in data_tables()}


def test_app_uninstalled_is_sent_and_then_the_webhooks_go_too(
    runtime: Runtime, site: CreatedSite, shop: ShopApi
) -> None:
    from elnudge.webhooks import service, verify
    from elnudge.webhooks.worker import Worker
    from tests.webhooks.receiver import receiver

    with receiver() as hooks:
        with runtime.database.write() as connection:
            created = service.create_endpoint(
                connection, site.site_id, url=hooks.url, events=[], allow_local=True, now_ms=1
            )
        shop.ingest(purchase("2026-04-30T10:05:00Z", session="s"))  # a pending session.converted
        delete_site(runtime.database, site.site_id, now_ms=runtime.clock.now_ms())
        assert rows_per_table(runtime, site.site_id)["webhook_deliveries"] == 1
        assert Worker(runtime.database, runtime.clock, allow_local=True).run_once() == 1
    [farewell] = hooks.received
    assert verify(farewell.body, farewell.headers["X-ElNudge-Signature"], created.secret)
    body = orjson.loads(farewell.body)
    assert body["event"] == "app.uninstalled" and body["data"] == {
        "site_id": site.site_id,
        "plan": "starter",
        "timestamp": "2026-05-01T12:00:00Z",
    }
    assert set(rows_per_table(runtime, site.site_id).values()) == {0}
