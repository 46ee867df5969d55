"""Browsing with the internet cut off: every request to another origin is recorded and blocked
(it never leaves the machine), and every failed request or error answer is recorded.

    with offline(context, live_shop.base) as log:
        visit(page, live_shop.base + "/docs", ready=DOCS_READY)
    log.assert_clean()

`OFFLINE_PAGES` lists what elNudge serves to browsers with how to tell each page has rendered;
tests/browser/test_offline.py visits them all, and tests/web/test_offline_audit.py reads every
file they reference. The dashboard's pages (signed in, no JavaScript) are checked the same way
by tests/browser/test_dashboard.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# A JavaScript condition per path: the page has drawn what a reader comes for.
DOCS_READY = "document.querySelectorAll('.opblock').length >= 5"
SHOP_READY = "window.__eln && window.__eln.loaded === true"
OFFLINE_PAGES: dict[str, str] = {
    "/docs": DOCS_READY,
    "/shop/": SHOP_READY,
    "/shop/products/ultra-stride-v2": SHOP_READY,
    "/shop/cart": SHOP_READY,
    "/shop/checkout": SHOP_READY,
}


@dataclass
class RequestLog:
    """What the pages asked for: other origins (blocked), failures, and everything else."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)

    def same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob") or f"{parts.scheme}://{parts.netloc}" == self.origin

    def assert_clean(self) -> None:
        assert self.foreign == [], f"requests to other origins: {self.foreign}"
        assert self.failed == [], f"failed requests: {self.failed}"


def _route(log: RequestLog) -> Any:
    def handle(route: Any) -> None:
        url = route.request.url
        if log.same_origin(url):
            route.continue_()
        else:
            log.foreign.append(url)
            route.abort("blockedbyclient")

    return handle


@contextmanager
def offline(context: Any, origin: str) -> Iterator[RequestLog]:
    """Cut `context` (every tab in it) off from every origin but `origin`."""
    log = RequestLog(origin)
    handler = _route(log)

    def on_failed(request: Any) -> None:
        if log.same_origin(request.url):  # the blocked ones are already in `foreign`
            log.failed.append(f"{request.url}: {request.failure}")

    def on_response(response: Any) -> None:
        log.served.append(response.url)
        if response.status >= 400:
            log.failed.append(f"{response.url}: {response.status}")

    context.route("**/*", handler)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    try:
        yield log
    finally:
        context.unroute("**/*", handler)
        context.remove_listener("requestfailed", on_failed)
        context.remove_listener("response", on_response)


def visit(page: Any, url: str, *, ready: str) -> None:
    """Open `url`, wait until the network is quiet and `ready` holds."""
    page.goto(url, wait_until="networkidle")
    page.wait_for_function(ready, timeout=15_000)
