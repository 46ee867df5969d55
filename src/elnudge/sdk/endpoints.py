"""`GET /sdk.js`: the storefront SDK, read once from the package."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from starlette.responses import Response

router = APIRouter(tags=["SDK"])

# Short caching: a new release reaches storefronts within minutes, without a versioned URL.
CACHE_CONTROL = "public, max-age=300"


@cache
def sdk_source() -> bytes:
    """The SDK's JavaScript, as shipped in the package."""
    return files("elnudge.sdk").joinpath("sdk.js").read_bytes()


@router.get(
    "/sdk.js",
    summary="The storefront SDK (no authentication)",
    response_class=Response,
    responses={200: {"content": {"application/javascript": {}}}},
)
def get_sdk() -> Response:
    """The JavaScript a storefront loads with `<script async src=".../sdk.js"
    data-site-key="pk_live_…">`."""
    return Response(
        sdk_source(),
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": CACHE_CONTROL, "Access-Control-Allow-Origin": "*"},
    )
