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
