"""All SQL of the store's knowledge: entries added by the merchant, and products by id."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection, Row

from elnudge.db.tables import knowledge_entries, products

Rows = Sequence[Row[*tuple[Any, ...]]]
ENTRY_COLUMNS = (
    knowledge_entries.c.entry_id,
    knowledge_entries.c.kind,
    knowledge_entries.c.title,
    knowledge_entries.c.body,
    knowledge_entries.c.url,
)
PRODUCT_COLUMNS = (
    products.c.product_id,
    products.c.name,
    products.c.price,
    products.c.currency,
    products.c.stock,
    products.c.url,
)


def insert_entries(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """New rows of `knowledge_entries`."""
    if rows:
        connection.execute(insert(knowledge_entries), list(rows))


def list_entries(connection: Connection, site_id: str) -> Rows:
    """The site's entries (ENTRY_COLUMNS), oldest first."""
    query = (
        select(*ENTRY_COLUMNS)
        .where(knowledge_entries.c.site_id == site_id)
        .order_by(knowledge_entries.c.created_at, knowledge_entries.c.entry_id)
    )
    return connection.execute(query).all()


def entries_before(connection: Connection, site_id: str, before: str | None, limit: int) -> Rows:
    """Up to `limit` of the site's entries (ENTRY_COLUMNS) whose id sorts before `before`
    (None: any), newest id first: a range of the primary key."""
    query = select(*ENTRY_COLUMNS).where(knowledge_entries.c.site_id == site_id)
    if before is not None:
        query = query.where(knowledge_entries.c.entry_id < before)
    query = query.order_by(knowledge_entries.c.entry_id.desc()).limit(limit)
    return connection.execute(query).all()


def count_entries(connection: Connection, site_id: str) -> int:
    """How many entries the site has."""
    query = (
        select(func.count())
        .select_from(knowledge_entries)
        .where(knowledge_entries.c.site_id == site_id)
    )
    return int(connection.execute(query).scalar_one())


def delete_entry(connection: Connection, site_id: str, entry_id: str) -> bool:
    """Delete one of the site's entries; False when it has none with that id."""
    statement = delete(knowledge_entries).where(
        knowledge_entries.c.site_id == site_id, knowledge_entries.c.entry_id == entry_id
    )
    return bool(connection.execute(statement).rowcount)


def entries_by_id(connection: Connection, site_id: str, ids: Collection[str]) -> Rows:
    """These entries of the site (ENTRY_COLUMNS), in no order."""
    if not ids:
        return []
    query = select(*ENTRY_COLUMNS).where(
        knowledge_entries.c.site_id == site_id, knowledge_entries.c.entry_id.in_(list(ids))
    )
    return connection.execute(query).all()


def products_by_id(connection: Connection, site_id: str, mode: str, ids: Collection[str]) -> Rows:
    """These products of the site in this mode (PRODUCT_COLUMNS), in no order."""
    if not ids:
        return []
    query = select(*PRODUCT_COLUMNS).where(
        products.c.site_id == site_id, products.c.mode == mode, products.c.product_id.in_(list(ids))
    )
    return connection.execute(query).all()
