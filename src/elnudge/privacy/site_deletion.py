"""Deleting a site and all its data (`elnudge sites delete`), in bounded batches.

1. One transaction deletes the site's keys, so every key stops working at once: nothing can be
   read or ingested from then on.
2. Every other table that has a `site_id` column — found in the schema, so a table added later
   is emptied too — loses the site's rows `batch_size` at a time, each batch its own
   transaction, so memory, locks and the write-ahead log stay small whatever the site's size.
3. The site's own row goes last. Until then the site exists and the command can simply be run
   again after an interruption: it continues where it stopped (steps 1 and 2 are repeatable).

`app.uninstalled` is queued in step 1's transaction. Its delivery and the endpoints it goes to
outlive the site: the webhook worker deletes them once it is delivered or failed
(`webhooks.repository.forget_deleted_site`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, delete, select, tuple_
from sqlalchemy.engine import Connection

from elnudge.db import Database, dialect
from elnudge.db.tables import api_keys, metadata, sites, webhook_deliveries, webhook_endpoints
from elnudge.errors import NotFound
from elnudge.timestamps import format_timestamp
from elnudge.vocabulary import Mode
from elnudge.webhooks.events import WebhookEvent
from elnudge.webhooks.outbox import enqueue

BATCH_ROWS = 5000


def data_tables() -> list[Table]:
    """The tables holding a site's data, children before parents, the report's rollups first
    (the triggers on the rows they count then find nothing to forget); keys and the site
    excluded: they are steps 1 and 3; webhook endpoints outlive the site until
    `app.uninstalled` is sent."""
    tables = [
        table
        for table in reversed(metadata.sorted_tables)
        if "site_id" in table.c and table not in (sites, api_keys, webhook_endpoints)
    ]
    return sorted(tables, key=lambda table: not table.info.get("rollup", False))


@dataclass
class DeletionReport:
    site_id: str
    keys: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows deleted


Progress = Callable[[str, int], None]  # (table, rows deleted so far in it)


def delete_site(
    database: Database,
    site_id: str,
    *,
    now_ms: int,
    batch_size: int = BATCH_ROWS,
    progress: Progress | None = None,
) -> DeletionReport:
    """Delete the site and everything it owns; NotFound when there is no such site (left)."""
    report = DeletionReport(site_id)
    with database.write() as connection:
        dialect.lock_site_for_ingestion(connection, site_id)
        found = select(sites.c.site_id, sites.c.plan).where(sites.c.site_id == site_id)
        site = connection.execute(found).first()
        if site is None:
            raise NotFound(f"No site {site_id!r}.")
        report.keys = connection.execute(
            delete(api_keys).where(api_keys.c.site_id == site_id)
        ).rowcount
        if report.keys:  # the first run (a rerun finds the keys gone and the event queued)
            _announce_uninstall(connection, site_id, site.plan, now_ms)
    for table in data_tables():
        report.rows[str(table.name)] = _empty(database, table, site_id, batch_size, progress)
    with database.write() as connection:
        connection.execute(delete(sites).where(sites.c.site_id == site_id))
    return report


def _empty(
    database: Database, table: Table, site_id: str, batch_size: int, progress: Progress | None
) -> int:
    """Delete the site's rows of `table`, one batch per transaction; how many went."""
    key = list(table.primary_key.columns)
    total = 0
    while True:
        with database.write() as connection:
            deleted = _delete_batch(connection, table, key, site_id, batch_size)
        total += deleted
        if progress is not None:
            progress(table.name, total)
        if deleted < batch_size:
            return total


def _announce_uninstall(connection: Connection, site_id: str, plan: str, now_ms: int) -> None:
    enqueue(
        connection,
        site_id=site_id,
        mode=Mode.LIVE,
        event=WebhookEvent.APP_UNINSTALLED,
        data={"site_id": site_id, "plan": plan, "timestamp": format_timestamp(now_ms)},
        now_ms=now_ms,
    )


def _delete_batch(
    connection: Connection, table: Table, key: list[Column[Any]], site_id: str, batch_size: int
) -> int:
    mine = [table.c.site_id == site_id]
    if table is webhook_deliveries:  # all but the farewell, which the worker sends and deletes
        mine.append(webhook_deliveries.c.event != WebhookEvent.APP_UNINSTALLED.value)
    some = select(*key).where(*mine).limit(batch_size)
    statement = delete(table).where(*mine, tuple_(*key).in_(some))
    return connection.execute(statement).rowcount
