"""The demo shop's HTML pages, rendered from the simulator's catalogue. Page-specific tracking
lives in static/shop.js; these pages only carry the data it needs in data- attributes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from html import escape
from types import MappingProxyType
from typing import Protocol

from elnudge.sdk import sdk_url
from elnudge.simulate.catalogue import CATALOGUE, COLLECTIONS, Product

SHOP_NAME = "Trailhead Running Co."
# The two lines a merchant pastes into the storefront's <head> (see the README), here with
# the optional quiet zones: paths where the engine shows no nudge.
SNIPPET = (
    "<script>window.__eln=window.__eln||function(){{(__eln.q=__eln.q||[]).push(arguments)}}"
    "</script>\n"
    '<script async src="{sdk_url}" data-site-key="{site_key}" data-quiet-zones="{zones}"></script>'
)


class StaticUrls(Protocol):
    def url(self, name: str) -> str: ...


@dataclass(frozen=True, slots=True)
class ShopConfig:
    """Where the shop lives, which key its SDK reports with, and where no nudge may appear
    (paths under `base`: a shopper who has just paid needs no nudge). Pages reference the
    SDK and the shop's own files by their versioned URLs (cached for a year)."""

    site_key: str
    sdk_url: str = field(default_factory=sdk_url)
    base: str = "/shop"
    quiet_zones: tuple[str, ...] = ("/thank-you",)
    static_urls: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def with_static(self, shelf: StaticUrls) -> ShopConfig:
        """This config, with the versioned URLs of the shop's files on `shelf`."""
        urls = {name: shelf.url(name) for name in ("shop.css", "shop.js")}
        return replace(self, static_urls=MappingProxyType(urls))

    def static_url(self, name: str) -> str:
        return self.static_urls.get(name, f"{self.base}/static/{name}")

    @property
    def quiet_zones_attribute(self) -> str:
        """The script tag's `data-quiet-zones`: comma-separated path globs."""
        return ",".join(self.base + zone for zone in self.quiet_zones)


def _collection_name(collection: str) -> str:
    return collection.rsplit("/", 1)[-1].replace("-", " ").title()


def _price(product: Product) -> str:
    return f"${product.price:,.2f}"


def layout(config: ShopConfig, *, title: str, kind: str, main: str, attrs: str = "") -> str:
    """A whole page: the SDK snippet in <head>, the shop's header, `main`."""
    base = config.base
    snippet = SNIPPET.format(
        sdk_url=escape(config.sdk_url),
        site_key=escape(config.site_key),
        zones=escape(config.quiet_zones_attribute),
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · {SHOP_NAME}</title>
<link rel="stylesheet" href="{config.static_url("shop.css")}">
{snippet}
<script defer src="{config.static_url("shop.js")}"></script>
</head>
<body data-page="{kind}" data-base="{base}"{attrs}>
<header class="top">
  <a class="brand" href="{base}/">{SHOP_NAME}</a>
  <nav><a href="{base}/">Shop</a> <a id="cart-link" href="{base}/cart">Cart (<span
  id="cart-count">0</span>)</a></nav>
</header>
<main>
{main}
</main>
<footer>Demo store for elNudge · every click here is a real event in the demo site.</footer>
</body>
</html>
"""


def _card(config: ShopConfig, product: Product) -> str:
    initials = "".join(word[0] for word in product.name.split()[:2])
    return f"""<a class="card" href="{config.base}{product.url}" data-eln-product="{product.id}">
  <div class="swatch s{sum(map(ord, product.id)) % 6}">{escape(initials)}</div>
  <div class="name">{escape(product.name)}</div>
  <div class="meta">{escape(_collection_name(product.collection))} · {_price(product)}</div>
</a>"""


def catalogue_page(config: ShopConfig) -> str:
    sections = []
    for collection in COLLECTIONS:
        cards = "\n".join(_card(config, p) for p in CATALOGUE if p.collection == collection)
        name = escape(_collection_name(collection))
        sections.append(f'<section><h2>{name}</h2><div class="grid">{cards}</div></section>')
    hero = (
        '<div class="hero"><h1>Gear for every mile</h1>'
        "<p>Road, trail and hiking kit, tested by people who run.</p></div>"
    )
    return layout(config, title="Shop", kind="catalogue", main=hero + "\n".join(sections))


def product_page(config: ShopConfig, product: Product) -> str:
    attrs = (
        f' data-product-id="{product.id}" data-product-name="{escape(product.name)}"'
        f' data-price="{product.price:.2f}" data-currency="{product.currency}"'
        f' data-stock="{product.stock}"'
    )
    filler = "".join(
        f"<p>{escape(product.name)} detail {number}: grippy outsole, breathable upper, "
        "reflective trims and a fit that stays put on long days out.</p>"
        for number in range(1, 13)
    )
    initials = "".join(word[0] for word in product.name.split()[:2])
    main = f"""<div class="product" data-eln-product="{product.id}">
  <div class="swatch big s{sum(map(ord, product.id)) % 6}">{escape(initials)}</div>
  <div>
    <h1>{escape(product.name)}</h1>
    <p class="meta">{escape(_collection_name(product.collection))}</p>
    <p class="price">{_price(product)}</p>
    <p class="meta stock">{product.stock} in stock</p>
    <button id="add-to-cart" class="primary">Add to cart</button>
    <p id="added" class="note" hidden>Added to your cart. <a href="{config.base}/cart">View
    cart</a></p>
  </div>
</div>
<section class="details"><h2>Details</h2>{filler}</section>"""
    return layout(config, title=product.name, kind="product", main=main, attrs=attrs)


def cart_page(config: ShopConfig) -> str:
    main = f"""<h1>Your cart</h1>
<table id="cart-items"><tbody></tbody></table>
<p class="total">Total: <strong id="cart-total">$0.00</strong></p>
<p id="cart-empty" class="note" hidden>Your cart is empty.</p>
<a id="checkout" class="button primary" href="{config.base}/checkout">Checkout</a>"""
    return layout(config, title="Cart", kind="cart", main=main)


def checkout_page(config: ShopConfig) -> str:
    main = """<h1>Checkout</h1>
<form id="checkout-form" class="checkout">
  <label>Name <input name="name" required value="Ada Runner"></label>
  <label>Email <input name="email" type="email" required value="ada@example.com"></label>
  <label>Card <input name="card" required value="4242 4242 4242 4242"></label>
  <p class="total">To pay: <strong id="cart-total">$0.00</strong></p>
  <button id="pay" class="primary" type="submit">Pay now</button>
</form>"""
    return layout(config, title="Checkout", kind="checkout", main=main)


def thank_you_page(config: ShopConfig) -> str:
    main = f"""<h1>Thank you!</h1>
<p>Your order <strong id="order-id"></strong> is on its way.</p>
<p><a href="{config.base}/">Keep shopping</a></p>"""
    return layout(config, title="Thank you", kind="thank-you", main=main)
