"""The API docs come from elNudge itself: Swagger UI's files and the favicon under /docs/assets,
cached for a year at versioned names; /redoc sends readers to /docs."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from elnudge.web.apidocs import ASSETS_PREFIX, docs_shelf
from elnudge.web.assets import IMMUTABLE, SHORT_LIVED


def referenced(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_docs_page_loads_its_files_from_elnudge(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = referenced(page.text)
    assert len(urls) == 3 and all(url.startswith(ASSETS_PREFIX + "/") for url in urls)
    assert "url: '/openapi.json'" in page.text and '"validatorUrl": null' in page.text
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE
    [favicon] = [url for url in urls if "favicon" in url]
    assert client.get(favicon).headers["content-type"] == "image/svg+xml"


def test_stable_names_are_short_lived_and_unknown_files_404(client: TestClient) -> None:
    stable = client.get(ASSETS_PREFIX + "/swagger-ui.css")
    assert stable.status_code == 200 and stable.headers["cache-control"] == SHORT_LIVED
    missing = client.get(ASSETS_PREFIX + "/../app.py")
    assert missing.status_code == 404
    unknown = client.get(ASSETS_PREFIX + "/swagger-ui.000000000000.css")
    assert unknown.status_code == 404 and unknown.json()["error"] == "NotFound"


def test_redoc_redirects_to_the_docs(client: TestClient) -> None:
    response = client.get("/redoc", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/docs"


def test_the_docs_files_are_read_once(client: TestClient) -> None:
    assert docs_shelf() is docs_shelf()
    names = sorted(asset.name for asset in docs_shelf().assets())
    assert names == ["favicon.svg", "swagger-ui-bundle.js", "swagger-ui.css"]


def test_docs_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith(("/docs", "/redoc"))]
