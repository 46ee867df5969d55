"""All SQL for sites."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from elnudge.db.tables import sites


def insert_site(connection: Connection, **values: object) -> None:
    connection.execute(insert(sites).values(**values))


def get_site(connection: Connection, site_id: str) -> RowMapping | None:
    return connection.execute(select(sites).where(sites.c.site_id == site_id)).mappings().first()


def list_sites(connection: Connection) -> list[RowMapping]:
    return list(connection.execute(select(sites).order_by(sites.c.site_id)).mappings())


def update_site(connection: Connection, site_id: str, **values: object) -> int:
    result = connection.execute(update(sites).where(sites.c.site_id == site_id).values(**values))
    return result.rowcount


def get_allowed_origins(connection: Connection, site_id: str) -> str | None:
    """The stored list (origins one per line), or None."""
    query = select(sites.c.allowed_origins).where(sites.c.site_id == site_id)
    value: str | None = connection.execute(query).scalar()
    return value


def set_allowed_origins(connection: Connection, site_id: str, stored: str | None) -> int:
    """Store the list; the number of sites changed (0 for an unknown site)."""
    statement = update(sites).where(sites.c.site_id == site_id).values(allowed_origins=stored)
    return connection.execute(statement).rowcount
