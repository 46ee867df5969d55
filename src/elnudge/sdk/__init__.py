"""The storefront SDK (`sdk.js`), shipped as package data and served at `/sdk.js`."""

from elnudge.sdk.endpoints import router, sdk_source

__all__ = ["router", "sdk_source"]
