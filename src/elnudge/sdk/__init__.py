"""The storefront SDK (`sdk.js`), shipped as package data and served at `/sdk.js` and at its
versioned URL `/sdk/<hash>.js`."""

from elnudge.sdk.endpoints import router, sdk_asset, sdk_source, sdk_url

__all__ = ["router", "sdk_asset", "sdk_source", "sdk_url"]
