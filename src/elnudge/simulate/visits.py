"""Visitor archetypes: small scripts that drive a `Journey` from landing to leaving.

Outcomes are mostly set by the archetype (a buyer buys, an abandoner leaves), but the signals on
the way overlap on purpose: buyers hesitate, abandoners read carefully, comparers sometimes buy,
and a nudge the shopper engaged with sometimes brings a leaving visitor back (`leave`: the
nudges' only effect, docs/simulator.md). That keeps the intent model honest.

The scripts never show nudges themselves: the engine decides when the journey flushes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from elnudge.simulate.catalogue import CATALOGUE, COLLECTIONS, Product, products_in
from elnudge.simulate.journey import Journey

Script = Callable[[Journey], None]

CONTENT_PAGES: Final = (
    ("/pages/about", "About us"),
    ("/pages/shipping-returns", "Shipping & returns"),
    ("/blogs/journal/first-trail-ultra", "Your first trail ultra"),
    ("/blogs/journal/how-to-choose-running-shoes", "How to choose running shoes"),
    ("/search?q=waterproof+trail+shoes", "Search"),
)
REFERRERS: Final = (
    "https://www.google.com/",
    "https://www.instagram.com/",
    "https://duckduckgo.com/",
    "https://www.reddit.com/r/running/",
)
CAMPAIGNS: Final = (
    "?utm_source=google&utm_medium=cpc&utm_campaign=spring-trail",
    "?utm_source=instagram&utm_medium=social&utm_campaign=new-arrivals",
    "?utm_source=newsletter&utm_medium=email&utm_campaign=weekly",
)
HOVER_TARGETS: Final = (
    ".product-gallery img",
    ".product-form__size-picker",
    "button.add-to-cart",
    ".product-reviews__summary",
)


def land(j: Journey) -> None:
    """The first page view: home, a collection, a product or an article, from somewhere."""
    referrer = j.rng.choice(REFERRERS) if j.chance(0.55) else None
    query = j.rng.choice(CAMPAIGNS) if j.chance(0.3) else ""
    roll = j.rng.random()
    if roll < 0.35:
        j.visit("/" + query, "Demo Shop", referrer)
    elif roll < 0.6:
        collection = j.rng.choice(COLLECTIONS)
        j.visit(collection + query, _title(collection), referrer)
    elif roll < 0.9:
        product = j.rng.choice(CATALOGUE)
        fragment = "#reviews" if j.chance(0.08) else ""
        j.view_product(product, product.url + query + fragment, referrer)
    else:
        path, title = j.rng.choice(CONTENT_PAGES)
        j.visit(path + (query.replace("?", "&", 1) if "?" in path else query), title, referrer)


def _title(collection: str) -> str:
    return collection.rsplit("/", 1)[-1].replace("-", " ").title()


def read_product(j: Journey, product: Product, care: float) -> None:
    """View a product and read it; `care` (0..1) sets dwell, scroll depth and hovers."""
    j.wait(8.0 + 20.0 * care)
    j.view_product(product)
    j.scroll(25 * (1 + int(care * 3.99 * j.rng.random() + j.rng.random())))
    for _ in range(int(care * 3 * j.rng.random() + 0.3)):
        j.hover(j.rng.choice(HOVER_TARGETS))
    j.wait(5.0 + 40.0 * care)


def wander(j: Journey, pages: int, care: float) -> Product | None:
    """Browse `pages` pages: collections, products and articles; returns the last product seen."""
    seen: Product | None = None
    for _ in range(pages):
        roll = j.rng.random()
        if roll < 0.55:
            seen = j.rng.choice(CATALOGUE)
            read_product(j, seen, care)
        elif roll < 0.85:
            j.wait(10.0)
            collection = j.rng.choice(COLLECTIONS)
            j.visit(collection, _title(collection))
            j.scroll(50)
        else:
            j.wait(12.0)
            path, title = j.rng.choice(CONTENT_PAGES)
            j.visit(path, title)
    return seen


def leave(j: Journey, exit_chance: float) -> bool:
    """Head for the door (the exit intent may bring the engine's exit modal); True when a
    nudge the shopper engaged with brings them back to buy (`reactions.RESCUE`)."""
    if j.chance(exit_chance):
        j.exit_intent()
    return j.chance(j.rescue_chance)


def finish_purchase(j: Journey) -> None:
    if not j.cart:
        read_product(j, j.rng.choice(CATALOGUE), 0.5)
        j.add_to_cart(j.rng.choice(CATALOGUE))
    j.advance_checkout(4)
    j.purchase()


def fill_cart(j: Journey, care: float) -> None:
    """Look at one to three products and put at least one in the cart."""
    product = wander(j, j.rng.randint(0, 2), care) or j.rng.choice(CATALOGUE)
    for _ in range(j.rng.choice((1, 1, 1, 2, 3))):
        read_product(j, product, care)
        j.add_to_cart(product)
        product = j.rng.choice(CATALOGUE)
    if j.chance(0.15):
        j.remove_from_cart()


def bouncer(j: Journey) -> None:
    land(j)
    if j.chance(0.4):
        j.scroll(j.rng.choice((25, 25, 50)))
    if leave(j, 0.3):
        finish_purchase(j)


def browser(j: Journey) -> None:
    land(j)
    wander(j, j.rng.randint(1, 6), care=j.rng.uniform(0.0, 0.6))
    if j.chance(0.1):
        j.custom("newsletter_signup")
    if leave(j, 0.45):
        finish_purchase(j)


def comparer(j: Journey) -> None:
    land(j)
    collection = j.rng.choice(COLLECTIONS)
    j.wait(10.0)
    j.visit(collection, _title(collection))
    options = list(products_in(collection))
    shortlist = j.rng.sample(options, k=min(len(options), j.rng.randint(2, 4)))
    for product in shortlist + shortlist[: j.rng.randint(0, 2)]:
        read_product(j, product, care=j.rng.uniform(0.4, 1.0))
    if j.chance(0.3):
        j.custom("size_guide_opened", size=j.rng.choice(("8", "9", "10", "11")))
    if j.chance(0.3):
        j.add_to_cart(shortlist[-1])
        if j.chance(0.4):
            finish_purchase(j)
            return
    if leave(j, 0.5):
        finish_purchase(j)


def cart_abandoner(j: Journey) -> None:
    land(j)
    fill_cart(j, care=j.rng.uniform(0.2, 0.9))
    if j.chance(0.6):
        j.advance_checkout(1)
    if leave(j, 0.55):
        finish_purchase(j)


def checkout_abandoner(j: Journey) -> None:
    land(j)
    fill_cart(j, care=j.rng.uniform(0.3, 1.0))
    j.advance_checkout(j.rng.choice((2, 2, 3, 3, 4)))
    if leave(j, 0.45):
        finish_purchase(j)


def buyer(j: Journey) -> None:
    land(j)
    fill_cart(j, care=j.rng.uniform(0.2, 1.0))
    if j.chance(0.1):  # hesitates, mouse leaves the window, comes back
        j.exit_intent()
    finish_purchase(j)
    if j.chance(0.2):
        j.wait(20.0)
        j.visit("/account/orders", "Your orders")


# name → (script, weight for a new visitor, weight for a returning identified visitor)
ARCHETYPES: Final[dict[str, tuple[Script, float, float]]] = {
    "bouncer": (bouncer, 0.43, 0.22),
    "browser": (browser, 0.25, 0.25),
    "comparer": (comparer, 0.11, 0.15),
    "cart_abandoner": (cart_abandoner, 0.11, 0.12),
    "checkout_abandoner": (checkout_abandoner, 0.05, 0.08),
    "buyer": (buyer, 0.055, 0.16),
}
