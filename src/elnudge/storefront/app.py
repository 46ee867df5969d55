"""The demo shop as a small ASGI app, mounted by `create_app` only when a shop key is set."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, RedirectResponse

from elnudge.simulate.catalogue import CATALOGUE
from elnudge.storefront import pages
from elnudge.storefront.pages import ShopConfig

STATIC = Path(__file__).parent / "static"
_BY_SLUG = {product.slug: product for product in CATALOGUE}


def create_storefront(config: ShopConfig) -> FastAPI:
    """The shop's pages and static files; mount it at `config.base`."""
    shop = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    shop.mount("/static", StaticFiles(directory=STATIC), name="static")

    @shop.get("/")
    def catalogue() -> HTMLResponse:
        return HTMLResponse(pages.catalogue_page(config))

    @shop.get("/products/{slug}")
    def product(slug: str) -> HTMLResponse:
        found = _BY_SLUG.get(slug)
        if found is None:
            return HTMLResponse("<h1>No such product</h1>", status_code=404)
        return HTMLResponse(pages.product_page(config, found))

    @shop.get("/cart")
    def cart() -> HTMLResponse:
        return HTMLResponse(pages.cart_page(config))

    @shop.get("/checkout")
    def checkout() -> HTMLResponse:
        return HTMLResponse(pages.checkout_page(config))

    @shop.get("/thank-you")
    def thank_you() -> HTMLResponse:
        return HTMLResponse(pages.thank_you_page(config))

    @shop.get("/index.html", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse(f"{config.base}/")

    return shop
