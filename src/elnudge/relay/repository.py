"""All SQL of the relay: a site's allow-list of origins."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from elnudge.db.tables import sites


def get_allowed_origins(connection: Connection, site_id: str) -> str | None:
    """The stored list (origins one per line), or None."""
    query = select(sites.c.allowed_origins).where(sites.c.site_id == site_id)
    value: str | None = connection.execute(query).scalar()
    return value


def set_allowed_origins(connection: Connection, site_id: str, stored: str | None) -> int:
    """Store the list; the number of sites changed (0 for an unknown site)."""
    statement = update(sites).where(sites.c.site_id == site_id).values(allowed_origins=stored)
    return connection.execute(statement).rowcount
