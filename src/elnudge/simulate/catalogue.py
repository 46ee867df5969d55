"""The demo store's catalogue: a small running and outdoor shop.

Each product has a stock level, which the demo shop reports in its `PRODUCT_VIEW` events; a
few are nearly sold out (5 or fewer), so that the engine's low-stock toast has something to say.
"""

from __future__ import annotations

from dataclasses import dataclass

CURRENCY = "USD"


@dataclass(frozen=True, slots=True)
class Product:
    """One product as the storefront shows it; `price` is in dollars with two decimals."""

    id: str
    name: str
    price: float
    collection: str
    stock: int
    currency: str = CURRENCY

    @property
    def slug(self) -> str:
        return self.id.removeprefix("prod_")

    @property
    def url(self) -> str:
        return f"/products/{self.slug}"


def _product(slug: str, name: str, price: float, collection: str, stock: int) -> Product:
    return Product(
        id=f"prod_{slug}",
        name=name,
        price=price,
        collection=f"/collections/{collection}",
        stock=stock,
    )


CATALOGUE: tuple[Product, ...] = (
    _product("ultra-stride-v2", "Ultra Stride v2", 139.00, "road-running", 24),
    _product("cloudline-trainer", "Cloudline Trainer", 124.00, "road-running", 31),
    _product("tempo-racer-3", "Tempo Racer 3", 159.00, "road-running", 3),
    _product("daily-miles", "Daily Miles", 99.00, "road-running", 58),
    _product("ridgeback-trail", "Ridgeback Trail", 149.00, "trail-running", 17),
    _product("scree-runner-gtx", "Scree Runner GTX", 169.00, "trail-running", 2),
    _product("mudlark-xt", "Mudlark XT", 134.00, "trail-running", 12),
    _product("summit-hike-mid", "Summit Hike Mid", 189.00, "hiking", 9),
    _product("switchback-pole-pair", "Switchback Poles (pair)", 89.95, "hiking", 40),
    _product("trailhead-pack-20", "Trailhead Pack 20L", 89.00, "packs", 5),
    _product("fastpack-vest-12", "Fastpack Vest 12L", 119.00, "packs", 14),
    _product("windbreaker-lite", "Windbreaker Lite", 79.00, "apparel", 27),
    _product("storm-shell", "Storm Shell Jacket", 229.00, "apparel", 4),
    _product("merino-run-tee", "Merino Run Tee", 54.00, "apparel", 46),
    _product("split-shorts-5", "Split Shorts 5in", 42.00, "apparel", 33),
    _product("thermal-tights", "Thermal Tights", 68.00, "apparel", 21),
    _product("cushion-socks-3pk", "Cushion Socks 3-Pack", 24.00, "accessories", 120),
    _product("headlamp-400", "Headlamp 400", 49.95, "accessories", 38),
    _product("soft-flask-500", "Soft Flask 500ml", 19.50, "accessories", 75),
    _product("pace-gps-watch", "Pace GPS Watch", 249.00, "accessories", 1),
)

COLLECTIONS: tuple[str, ...] = tuple(dict.fromkeys(p.collection for p in CATALOGUE))


def products_in(collection: str) -> tuple[Product, ...]:
    """The catalogue's products in one collection, in catalogue order."""
    return tuple(p for p in CATALOGUE if p.collection == collection)
