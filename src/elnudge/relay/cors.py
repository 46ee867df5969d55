"""CORS for the relay: any origin may call it (the per-site allow-list is checked on POST,
where the site is known; a preflight carries no body, so it cannot know the site)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders

# No credentials are ever needed: the public key travels in the body.
RESPONSE_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    # Lets the SDK read how long to wait after a 429, and quote the request id in its logs.
    "Access-Control-Expose-Headers": "Request-Id, Retry-After",
}
PREFLIGHT_HEADERS = {
    **RESPONSE_HEADERS,
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


def add_cors_headers(headers: MutableHeaders) -> None:
    """Make a relay response, error or not, readable by a script on any origin."""
    for name, value in RESPONSE_HEADERS.items():
        headers[name] = value
