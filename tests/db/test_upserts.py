"""`dialect.upsert_newer`, which keeps the catalogue and the product views: the latest sighting
wins, whatever order the rows arrive in, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import exc, select

from elnudge.db import Database, dialect
from elnudge.db.tables import products
from elnudge.provisioning import create_site

KEYS = ("site_id", "mode", "product_id")


def product(site_id: str, product_id: str, at: int, **fields: Any) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "mode": "live",
        "product_id": product_id,
        "name": fields.get("name"),
        "price": fields.get("price"),
        "currency": fields.get("currency"),
        "stock": fields.get("stock"),
        "url": f"/products/{product_id}",
        "last_viewed_at": at,
    }


def upsert(database: Database, rows: list[dict[str, Any]]) -> None:
    with database.write() as connection:
        dialect.upsert_newer(connection, products, rows, keys=KEYS, newer="last_viewed_at")


def stored(database: Database, site_id: str) -> dict[str, tuple[Any, ...]]:
    """Each stored product's name, price, currency, stock and last view."""
    columns = (
        products.c.name,
        products.c.price,
        products.c.currency,
        products.c.stock,
        products.c.last_viewed_at,
    )
    query = select(products.c.product_id, *columns).where(products.c.site_id == site_id)
    with database.autocommit() as connection:
        return {row[0]: tuple(row[1:]) for row in connection.execute(query)}


@pytest.fixture
def site_id(database: Database) -> str:
    with database.write() as connection:
        return create_site(connection, name="Upserts", plan="starter", now_ms=0).site_id


def test_the_latest_sighting_wins_in_any_order(database: Database, site_id: str) -> None:
    upsert(database, [product(site_id, "a", 200, name="A2"), product(site_id, "b", 100)])
    upsert(
        database,
        [
            product(site_id, "a", 100, name="A1"),  # older than the stored row: ignored
            product(site_id, "b", 300, name="B3", stock=4),  # newer: replaces it
            product(site_id, "c", 50, name="C", price=20),  # new: inserted
            product(site_id, "d", 50, price=19.99, currency="EUR"),
        ],
    )
    assert stored(database, site_id) == {
        "a": ("A2", None, None, None, 200),
        "b": ("B3", None, None, 4, 300),
        "c": ("C", 20.0, None, None, 50),
        "d": (None, 19.99, "EUR", None, 50),
    }


def test_a_key_given_twice_keeps_the_first_of_its_newest(database: Database, site_id: str) -> None:
    """A later row replaces only a strictly older one, within one call as across calls."""
    upsert(
        database,
        [
            product(site_id, "a", 100, name="first"),
            product(site_id, "a", 300, name="newest"),
            product(site_id, "a", 300, name="tied"),
            product(site_id, "a", 200, name="older"),
        ],
    )
    assert stored(database, site_id) == {"a": ("newest", None, None, None, 300)}


def test_a_value_too_long_for_its_column_is_never_cut_short(
    database: Database, site_id: str
) -> None:
    """PostgreSQL refuses it and stores nothing; SQLite, which does not enforce lengths,
    keeps it whole."""
    row = product(site_id, "a", 1, currency="EURO")
    if database.engine.dialect.name == "postgresql":
        with pytest.raises(exc.DataError):
            upsert(database, [row])
        assert stored(database, site_id) == {}
    else:
        upsert(database, [row])
        assert stored(database, site_id) == {"a": (None, None, "EURO", None, 1)}
