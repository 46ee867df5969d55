"""The interactive API docs, served entirely by elNudge: `/docs` (Swagger UI) loads its
script, stylesheet and favicon from `/docs/assets/`, never from a CDN. A machine without
internet access shows them, and no third party learns who reads them.

Swagger UI's files come from the `fastapi-offline` package (pinned in pyproject.toml; Swagger
UI 5, Apache-2.0); the favicon is elNudge's own (web/static/favicon.svg). Swagger UI is told
not to fetch a validity badge from validator.swagger.io.

There is no ReDoc: its bundle draws its maker's logo from cdn.redoc.ly on every page, which
no option turns off. `/redoc` redirects to `/docs`, so old bookmarks still land on the docs.
"""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from elnudge.errors import NotFound
from elnudge.web.assets import Shelf, package_asset

ASSETS_PREFIX = "/docs/assets"
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}  # no badge fetched from validator.swagger.io
_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")


@cache
def docs_shelf() -> Shelf:
    """Read once per process. Compressed on first request (1.7 MB take 0.6 s at brotli 5), not
    at start: most servers never show their docs, and tests start many apps."""
    vendored = [package_asset("fastapi_offline", name, folder="static") for name in _FILES]
    favicon = package_asset("elnudge.web", "favicon.svg", folder="static")
    return Shelf(ASSETS_PREFIX, [*vendored, favicon])


def docs_router(app: FastAPI) -> APIRouter:
    """`/docs` and its files for `app`'s OpenAPI document, and `/redoc` sending there."""
    router = APIRouter(include_in_schema=False)
    shelf = docs_shelf()
    title = app.title

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} · docs",
            swagger_js_url=shelf.url("swagger-ui-bundle.js"),
            swagger_css_url=shelf.url("swagger-ui.css"),
            swagger_favicon_url=shelf.url("favicon.svg"),
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @router.get("/redoc")
    async def redoc() -> RedirectResponse:
        return RedirectResponse("/docs", status_code=307)

    @router.get(ASSETS_PREFIX + "/{filename}")
    def docs_asset(request: Request, filename: str) -> Response:  # a thread: may compress
        response = shelf.response(request, filename)
        if response is None:
            raise NotFound("No such file.")
        return response

    return router
