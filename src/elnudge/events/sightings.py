"""What a batch's `PRODUCT_VIEW` events say about products: the catalogue as the storefront
describes it (`products`: the chat's knowledge), and when each session last viewed each product
(`product_views`: the engine's "people are viewing this now"). The latest sighting wins, in
any arrival order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from elnudge.db import dialect
from elnudge.db.tables import product_views, products
from elnudge.vocabulary import Event, EventType


@dataclass
class ProductSightings:
    site_id: str
    mode: str
    catalogue: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def see(self, event: Event, session_id: str) -> None:
        """Note one new event (only a PRODUCT_VIEW says anything)."""
        if event.type != EventType.PRODUCT_VIEW:
            return
        product_id = str(event.data["product_id"])
        at = event.occurred_at
        known = self.catalogue.get(product_id)
        if known is None or known["last_viewed_at"] < at:
            self.catalogue[product_id] = self._product_row(product_id, event)
        view = self.views.get((product_id, session_id))
        if view is None or view["viewed_at"] < at:
            self.views[product_id, session_id] = {
                "site_id": self.site_id,
                "mode": self.mode,
                "product_id": product_id,
                "session_id": session_id,
                "viewed_at": at,
            }

    def _product_row(self, product_id: str, event: Event) -> dict[str, Any]:
        data = event.data
        return {
            "site_id": self.site_id,
            "mode": self.mode,
            "product_id": product_id,
            "name": data.get("product_name"),
            "price": data.get("price"),
            "currency": data.get("currency"),
            "stock": data.get("stock"),
            "url": event.url,
            "last_viewed_at": event.occurred_at,
        }

    def write(self, connection: Connection) -> None:
        product = ("site_id", "mode", "product_id")
        rows = list(self.catalogue.values())
        dialect.upsert_newer(connection, products, rows, keys=product, newer="last_viewed_at")
        views = list(self.views.values())
        view = (*product, "session_id")
        dialect.upsert_newer(connection, product_views, views, keys=view, newer="viewed_at")
