"""All SQL for API keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from elnudge.db.prebuilt import Prebuilt
from elnudge.db.tables import api_keys, sites


def insert_key(connection: Connection, **values: object) -> None:
    connection.execute(insert(api_keys).values(**values))


# Built once, and read on the driver's cursor: this runs on every authenticated request
# (through SQLAlchemy's result objects it was an eighth of a `GET /v1/sessions/{id}`'s CPU).
_KEY_WITH_SITE = (
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
_BY_HASH = Prebuilt(_KEY_WITH_SITE)
_BY_HASH_NAMES = tuple(str(column.key) for column in _KEY_WITH_SITE.selected_columns)


def find_by_hash(connection: Connection, key_hash: str) -> Mapping[str, Any] | None:
    """The key with its site's plan and settings, in one query."""
    rows = _BY_HASH.fetch_all(connection, {"key_hash": key_hash})
    return dict(zip(_BY_HASH_NAMES, rows[0], strict=True)) if rows else None


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
