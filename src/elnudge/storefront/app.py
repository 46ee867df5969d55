"""The demo shop as a small ASGI app, mounted by `create_app` only when a shop key is set."""

from __future__ import annotations

from functools import cache

from fastapi import FastAPI, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from elnudge.simulate.catalogue import CATALOGUE
from elnudge.storefront import pages
from elnudge.storefront.pages import ShopConfig
from elnudge.web.assets import Asset, Shelf, package_asset
from elnudge.web.errors import install_error_handlers

STATIC_FILES = ("shop.css", "shop.js")
_BY_SLUG = {product.slug: product for product in CATALOGUE}


@cache
def static_assets() -> tuple[Asset, ...]:
    """The shop's stylesheet and script, compressed once per process."""
    return tuple(
        package_asset("elnudge.storefront", name, folder="static").warm() for name in STATIC_FILES
    )


def create_storefront(config: ShopConfig) -> FastAPI:
    """The shop's pages and static files; mount it at `config.base`."""
    shop = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    install_error_handlers(shop)
    shelf = Shelf(f"{config.base}/static", static_assets())
    config = config.with_static(shelf)

    @shop.get("/static/{filename}")
    def static(request: Request, filename: str) -> Response:
        response = shelf.response(request, filename)
        if response is None:
            return HTMLResponse("<h1>No such file</h1>", status_code=404)
        return response

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
