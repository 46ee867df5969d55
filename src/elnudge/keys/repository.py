"""All SQL for API keys."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from elnudge.db.tables import api_keys, sites


def insert_key(connection: Connection, **values: object) -> None:
    connection.execute(insert(api_keys).values(**values))


# Built once: this runs on every authenticated request.
_BY_HASH = (
    select(
        api_keys,
        sites.c.plan,
        sites.c.api_window_days,
        sites.c.storage_days,
        sites.c.cursor_secret,
        sites.c.engine_settings,
        sites.c.installed_at,
    )
    .join(sites, sites.c.site_id == api_keys.c.site_id)
    .where(api_keys.c.key_hash == bindparam("key_hash"))
)


def find_by_hash(connection: Connection, key_hash: str) -> RowMapping | None:
    """The key with its site's plan and settings, in one query."""
    return connection.execute(_BY_HASH, {"key_hash": key_hash}).mappings().first()


def get_key(connection: Connection, key_id: str) -> RowMapping | None:
    return (
        connection.execute(select(api_keys).where(api_keys.c.key_id == key_id)).mappings().first()
    )


def list_keys(connection: Connection, site_id: str) -> list[RowMapping]:
    query = (
        select(api_keys)
        .where(api_keys.c.site_id == site_id)
        .order_by(api_keys.c.created_at, api_keys.c.key_id)
    )
    return list(connection.execute(query).mappings())


def update_key(connection: Connection, site_id: str, key_id: str, **values: object) -> None:
    connection.execute(
        update(api_keys)
        .where(api_keys.c.site_id == site_id, api_keys.c.key_id == key_id)
        .values(**values)
    )
