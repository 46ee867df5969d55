"""Nothing elNudge serves to a browser references another origin: every page in `PAGES` and
every file those pages load, followed link by link (tests/offline_audit.py says how each type
is read)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from elnudge.app import create_app
from elnudge.config import Settings
from elnudge.sdk import sdk_asset
from tests.offline_audit import (
    INERT_HOSTS,
    PAGES,
    css_references,
    findings,
    html_findings,
    html_references,
    is_foreign,
    js_findings,
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("audit")
    settings = Settings(database_url=f"sqlite:///{folder / 'audit.db'}", shop_site_key="pk_x")
    with TestClient(create_app(settings)) as client:
        yield client


def crawl(client: TestClient) -> dict[str, tuple[str, str]]:
    """Path → (content type, text) of every page in PAGES and every file they load."""
    seen: dict[str, tuple[str, str]] = {}
    queue = list(PAGES)
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        kind = response.headers["content-type"]
        seen[path] = (kind, response.text if not kind.startswith("image/png") else "")
        if kind.startswith("text/html"):
            queue.extend(url for url in html_references(response.text) if _loadable(url))
        elif kind.startswith("text/css"):
            queue.extend(url for url in css_references(response.text) if _loadable(url))
    return seen


def _loadable(url: str) -> bool:
    """A same-origin path to fetch (foreign URLs are findings, not fetched)."""
    return url.startswith("/") and not url.startswith("//") and not is_foreign(url)


def test_no_page_or_file_references_another_origin(served: TestClient) -> None:
    files = crawl(served)
    assert {"/docs", "/shop/"} <= files.keys()
    loaded = {path.rsplit("/", 1)[-1].split(".")[0] for path in files}
    assert {"swagger-ui-bundle", "swagger-ui", "favicon", "shop", sdk_asset().digest} <= loaded
    problems = {
        path: found
        for path, (kind, text) in files.items()
        if (found := findings(kind, text, vendored=path.startswith("/docs/assets/swagger")))
    }
    assert problems == {}


def test_the_audit_finds_foreign_references() -> None:
    """The rules themselves: each kind of reference to another origin is caught."""
    page = (
        '<link rel="stylesheet" href="https://cdn.example/ui.css">'
        '<script src="//cdn.example/ui.js"></script>'
        '<img srcset="/a.png 1x, https://x.example/b.png 2x">'
        "<script>fetch('https://api.example/t')</script><a href=\"/docs\">docs</a>"
    )
    assert html_findings(page) == [
        "https://cdn.example/ui.css",
        "//cdn.example/ui.js",
        "https://x.example/b.png",
        "https://api.example",
    ]
    css = "a{background:url(https://x.example/a.png)} @import 'https://fonts.example/f.css';"
    assert findings("text/css", css) == ["https://x.example/a.png", "https://fonts.example/f.css"]
    assert findings("text/css", 'b{background:url("data:image/svg+xml,<svg/>")}') == []
    assert js_findings("x='https://cdn.example/a.js'", allowed=INERT_HOSTS) == ["cdn.example"]
    assert findings("application/javascript", "https://www.w3.org/2000/svg", vendored=True) == []
    assert findings("application/javascript", "'https://www.w3.org/2000/svg'") == ["www.w3.org"]
