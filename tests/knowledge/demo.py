"""A site with the demo store's knowledge and catalogue, for the knowledge tests."""

from __future__ import annotations

from elnudge.knowledge.demo import add_demo_knowledge
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.simulate.catalogue import CATALOGUE
from tests.storefront import Relay, envelope


def stock_the_demo_store(runtime: Runtime, site: CreatedSite, relay: Relay) -> None:
    """The demo knowledge, and the catalogue as the shop's PRODUCT_VIEW events describe it."""
    with runtime.database.write() as connection:
        add_demo_knowledge(connection, site.site_id, runtime.clock.now_ms())
    views = [
        envelope(
            "PRODUCT_VIEW",
            "2026-05-01T11:50:00Z",
            product.url,
            {
                "product_id": product.id,
                "product_name": product.name,
                "price": product.price,
                "currency": product.currency,
                "stock": product.stock,
            },
            session="catalogue-walker",
        )
        for product in CATALOGUE
    ]
    relay.send(*views)
