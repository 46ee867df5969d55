"""`GET /sdk.js` and `GET /sdk/{hash}.js`: the storefront SDK, read, hashed and compressed
(brotli and gzip) once per process, then served from memory.

The versioned URL (`/sdk/1a2b3c4d5e6f.js`) changes with every release of the file and is
cached for a year; the stable `/sdk.js` is cached for 5 minutes and then revalidated by its
ETag (a 304 without a body), so a store whose tag names it never needs to change it. A store
whose tag names an older versioned URL is redirected to `/sdk.js` (not cached for long), so an
upgrade never breaks a storefront.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import RedirectResponse, Response

from elnudge.web.assets import IMMUTABLE, SHORT_LIVED, Asset, asset_response, package_asset
from elnudge.web.docs import error_responses

router = APIRouter(tags=["SDK"])
STABLE_PATH = "/sdk.js"
# Cross-origin pages load the SDK; the header lets them read its errors (`crossorigin`).
_OPEN = {"Access-Control-Allow-Origin": "*"}
VERSION = Path(
    pattern=r"^[0-9a-f]{12}$",
    description="The first 12 hex digits of the file's SHA-256.",
    examples=["0d160dc59a10"],
)
_STRING = {"type": "string"}
_HEADERS = {
    "ETag": {"description": "A strong validator per content coding.", "schema": _STRING},
    "Cache-Control": {
        "description": "5 minutes, or a year (immutable) when versioned.",
        "schema": _STRING,
    },
    "Link": {"description": '`/sdk.js`: `</sdk/<hash>.js>; rel="canonical"`.', "schema": _STRING},
}
_JAVASCRIPT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/javascript": {}}, "headers": _HEADERS}
}


@cache
def sdk_asset() -> Asset:
    """The SDK as shipped in the package, compressed in both codings."""
    return package_asset("elnudge.sdk", "sdk.js").warm()


def sdk_source() -> bytes:
    """The SDK's JavaScript, as shipped in the package."""
    return sdk_asset().body


def sdk_url() -> str:
    """The SDK's versioned path, `/sdk/<hash>.js`: what pages should reference."""
    return f"/sdk/{sdk_asset().digest}.js"


def _served(request: Request, cache_control: str) -> Response:
    response = asset_response(request, sdk_asset(), cache_control=cache_control)
    response.headers.update(_OPEN)
    return response


@router.get(
    STABLE_PATH,
    summary="The storefront SDK (no authentication)",
    response_class=Response,
    responses={**_JAVASCRIPT, 304: {"description": "`If-None-Match` named the current ETag."}},
)
def get_sdk(request: Request) -> Response:
    """The JavaScript a storefront loads with `<script async src=".../sdk.js"
    data-site-key="pk_live_…">`: cached for 5 minutes, then revalidated by its `ETag`.
    Compressed with brotli or gzip when `Accept-Encoding` allows."""
    response = _served(request, SHORT_LIVED)
    response.headers["Link"] = f'<{sdk_url()}>; rel="canonical"'
    return response


@router.get(
    "/sdk/{version}.js",
    summary="The storefront SDK at its versioned URL (no authentication)",
    response_class=Response,
    responses={
        **_JAVASCRIPT,
        307: {"description": "An older version: redirected to `/sdk.js`."},
        **error_responses(400),
    },
)
def get_versioned_sdk(request: Request, version: Annotated[str, VERSION]) -> Response:
    """The same file under a URL that names its content's hash, cached for a year
    (`immutable`); `GET /sdk.js` answers with it in its `Link` header. An older hash
    redirects to `/sdk.js`, so a tag naming it keeps working after an upgrade."""
    if version != sdk_asset().digest:
        return RedirectResponse(STABLE_PATH, status_code=307, headers={"Cache-Control": "no-cache"})
    return _served(request, IMMUTABLE)
