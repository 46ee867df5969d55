"""`elnudge export nudges` against a live server. Skips with "endpoint not on this branch"
only while `GET /v1/nudges` is missing from the app's OpenAPI document."""

from __future__ import annotations

import csv
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from elnudge import Client
from elnudge.db import create_database
from tests.client.commands import Store
from tests.client.conftest import Api, LiveServers, iso, new_site
from tests.client.routes import needs_route
from tests.client.test_export import UNLIMITED
from tests.client.test_nudges_resource import NUDGE_IDS, shown_nudges

pytestmark = needs_route("GET", "/v1/nudges")
NUDGE_HEADER = ["id", "session_id", "type", "shown_at", "outcome", "influenced_conversion"]


def test_nudges_export_in_every_format(
    database_url: str, live_servers: LiveServers, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    server = live_servers(database_url, UNLIMITED)
    database = create_database(database_url)
    now = datetime.now(UTC).replace(microsecond=0)
    site = new_site(database, int(time.time() * 1000))
    database.dispose()
    api = Api("live", server.base_url, now, site, lambda: None, lambda: None)
    with Client(site.secret_key_live, base_url=server.base_url) as client:
        client.events.send(shown_nudges(api))
        expected = [
            item for page in client.nudges.list(limit=200).iter_pages() for item in page.raw_data
        ]
    window = (iso(now - timedelta(days=1)), iso(now + timedelta(minutes=1)))
    store = Store(server.base_url, site.secret_key_live, len(NUDGE_IDS), window)
    jsonl, table, parquet = tmp_path / "n.jsonl", tmp_path / "n.csv", tmp_path / "n.parquet"
    store.run(*store.export_args("nudges", "jsonl", jsonl))
    store.run(*store.export_args("nudges", "csv", table))
    store.run(*store.export_args("nudges", "parquet", parquet))
    assert [json.loads(line) for line in jsonl.read_bytes().splitlines()] == expected
    with table.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == NUDGE_HEADER and [row["id"] for row in rows] == [
        item["id"] for item in expected
    ]
    schema = pq.read_table(parquet).schema
    assert schema.field("shown_at").type == pa.timestamp("ms", tz="UTC")
    assert schema.names == NUDGE_HEADER
    with_events = store.run(
        *store.export_args("nudges", "jsonl", tmp_path / "x.jsonl", "--with-events"), check=False
    )
    assert with_events.returncode != 0
