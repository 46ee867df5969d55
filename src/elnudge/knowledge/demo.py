"""The demo store's knowledge (demo_store.csv beside this module): shipping, returns, sizing,
payment and care answers for the running shop that `elnudge demo` simulates, and its catalogue
as the demo shop's product pages describe it (the simulated traffic's PRODUCT_VIEW events carry
only product ids)."""

from __future__ import annotations

from importlib.resources import files

from sqlalchemy.engine import Connection

from elnudge.db import dialect
from elnudge.db.tables import products
from elnudge.knowledge.csvfile import entries_from_csv
from elnudge.knowledge.service import Entry, add_entries
from elnudge.simulate.catalogue import CATALOGUE
from elnudge.vocabulary import Mode


def demo_entries() -> list[Entry]:
    """The demo store's FAQ entries and policies."""
    return entries_from_csv(files("elnudge.knowledge").joinpath("demo_store.csv").read_bytes())


def add_demo_knowledge(connection: Connection, site_id: str, now_ms: int) -> list[str]:
    """Give a site the demo store's knowledge; the new entries' ids."""
    return add_entries(connection, site_id, demo_entries(), now_ms)


def add_demo_catalogue(connection: Connection, site_id: str, now_ms: int) -> None:
    """The demo catalogue in the site's live `products`, as if each product was just viewed
    on the demo shop (the latest sighting wins, so call this after the simulated traffic)."""
    rows = [
        {
            "site_id": site_id,
            "mode": Mode.LIVE,
            "product_id": product.id,
            "name": product.name,
            "price": product.price,
            "currency": product.currency,
            "stock": product.stock,
            "url": product.url,
            "last_viewed_at": now_ms,
        }
        for product in CATALOGUE
    ]
    keys = ("site_id", "mode", "product_id")
    dialect.upsert_newer(connection, products, rows, keys=keys, newer="last_viewed_at")
