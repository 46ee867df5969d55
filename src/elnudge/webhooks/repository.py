"""All SQL of webhooks: endpoints, the outbox (deliveries) and claiming due deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping

from elnudge.db import dialect
from elnudge.db.tables import sites
from elnudge.db.tables import webhook_deliveries as deliveries
from elnudge.db.tables import webhook_endpoints as endpoints

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


def insert_endpoint(connection: Connection, row: dict[str, Any]) -> None:
    connection.execute(insert(endpoints), [row])


def endpoints_of_site(connection: Connection, site_id: str) -> list[RowMapping]:
    query = select(endpoints).where(endpoints.c.site_id == site_id)
    return list(connection.execute(query.order_by(endpoints.c.endpoint_id)).mappings())


def find_endpoint(connection: Connection, endpoint_id: str) -> RowMapping | None:
    """An endpoint by its id alone (the CLI's argument); ids are unique ULIDs."""
    query = select(endpoints).where(endpoints.c.endpoint_id == endpoint_id)
    return connection.execute(query).mappings().first()


def get_endpoint(connection: Connection, site_id: str, endpoint_id: str) -> RowMapping | None:
    query = select(endpoints).where(
        endpoints.c.site_id == site_id, endpoints.c.endpoint_id == endpoint_id
    )
    return connection.execute(query).mappings().first()


def update_endpoint(connection: Connection, site_id: str, endpoint_id: str, **values: Any) -> None:
    connection.execute(
        update(endpoints)
        .where(endpoints.c.site_id == site_id, endpoints.c.endpoint_id == endpoint_id)
        .values(**values)
    )


def delete_endpoint(connection: Connection, site_id: str, endpoint_id: str) -> None:
    for table in (deliveries, endpoints):
        connection.execute(
            delete(table).where(table.c.site_id == site_id, table.c.endpoint_id == endpoint_id)
        )


def insert_deliveries(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(deliveries), list(rows))


def deliveries_of(
    connection: Connection, site_id: str, endpoint_id: str, limit: int
) -> list[RowMapping]:
    query = (
        select(deliveries)
        .where(deliveries.c.site_id == site_id, deliveries.c.endpoint_id == endpoint_id)
        .order_by(deliveries.c.created_at.desc(), deliveries.c.delivery_id.desc())
        .limit(limit)
    )
    return list(connection.execute(query).mappings())


def claim_due(connection: Connection, now_ms: int, lease_ms: int, limit: int) -> list[RowMapping]:
    """Take up to `limit` due deliveries for this worker until `now_ms + lease_ms`.

    On PostgreSQL the rows are locked with SKIP LOCKED, so concurrent workers never claim the
    same delivery; SQLite has a single writer. A claim whose worker died expires with its lease.
    """
    due = (
        select(deliveries.c.site_id, deliveries.c.delivery_id)
        .where(
            deliveries.c.status == PENDING,
            deliveries.c.next_attempt_at <= now_ms,
            or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until <= now_ms),
        )
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
    )
    keys = list(connection.execute(dialect.skip_locked(due, connection)).all())
    if not keys:
        return []
    for site_id, delivery_id in keys:
        connection.execute(
            update(deliveries)
            .where(deliveries.c.site_id == site_id, deliveries.c.delivery_id == delivery_id)
            .values(lease_until=now_ms + lease_ms)
        )
    joined = (
        select(
            deliveries,
            endpoints.c.url,
            endpoints.c.secret,
            endpoints.c.previous_secret,
            endpoints.c.previous_until,
            endpoints.c.disabled_at,
        )
        .join(
            endpoints,
            and_(
                endpoints.c.site_id == deliveries.c.site_id,
                endpoints.c.endpoint_id == deliveries.c.endpoint_id,
            ),
        )
        .where(
            or_(
                *(
                    and_(deliveries.c.site_id == site, deliveries.c.delivery_id == delivery)
                    for site, delivery in keys
                )
            )
        )
    )
    return list(connection.execute(joined).mappings())


def finish_attempt(connection: Connection, site_id: str, delivery_id: str, **values: Any) -> None:
    """Record an attempt's outcome; a delivery another worker already finished (its lease had
    expired) keeps that outcome."""
    connection.execute(
        update(deliveries)
        .where(
            deliveries.c.site_id == site_id,
            deliveries.c.delivery_id == delivery_id,
            deliveries.c.status == PENDING,
        )
        .values(lease_until=None, attempts=deliveries.c.attempts + 1, **values)
    )


def forget_deleted_site(connection: Connection, site_id: str) -> None:
    """Once a deleted site's last delivery (its `app.uninstalled`) is done, delete its webhook
    endpoints and delivery log too; nothing while the site exists or a delivery is pending."""
    exists = select(sites.c.site_id).where(sites.c.site_id == site_id)
    pending = select(deliveries.c.delivery_id).where(
        deliveries.c.site_id == site_id, deliveries.c.status == PENDING
    )
    if connection.execute(exists).first() or connection.execute(pending.limit(1)).first():
        return
    for table in (deliveries, endpoints):
        connection.execute(delete(table).where(table.c.site_id == site_id))
