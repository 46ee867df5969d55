"""HEAD answers on every GET route, mounted apps included: the GET's status and headers,
no body. The routes are walked from the app itself, so a new GET route is covered at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from elnudge.app import create_app
from elnudge.config import Settings
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import build_runtime
from elnudge.sdk import sdk_url
from tests.http_raw import fetch_raw

# A value for each path parameter: real ones where a real answer is worth comparing.
SAMPLES = {"slug": "ultra-stride-v2", "filename": "favicon.svg", "version": "0123456789ab"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, CreatedSite]]:
    folder: Path = tmp_path_factory.mktemp("head")
    settings = Settings(database_url=f"sqlite:///{folder / 'head.db'}", shop_site_key="pk_x")
    runtime = build_runtime(settings)
    with TestClient(create_app(runtime=runtime)) as client:
        with runtime.database.write() as connection:
            site = create_site(connection, name="Head", plan="starter", now_ms=1_777_000_000_000)
        yield client, site


def get_paths(routes: list[Any], prefix: str = "") -> list[str]:
    """Every GET route's path, with sample values for its parameters."""
    paths = []
    for route in routes:
        if isinstance(route, Mount):
            paths.extend(get_paths(route.routes, prefix + route.path))
        elif hasattr(route, "original_router"):  # FastAPI's included router
            included = prefix + route.include_context.prefix
            paths.extend(get_paths(route.original_router.routes, included))
        elif isinstance(route, (APIRoute, Route)) and "GET" in (route.methods or ()):
            path = re.sub(r"{(\w+)(:\w+)?}", lambda m: SAMPLES.get(m[1], "x"), route.path)
            paths.append(prefix + path)
    return paths


def without_request_id(headers: Any) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name != "request-id"}


def test_every_get_route_answers_head(served: tuple[TestClient, CreatedSite]) -> None:
    client, site = served
    paths = get_paths(client.app.routes)  # type: ignore[attr-defined]
    assert {"/v1/sessions", "/sdk.js", "/docs", "/shop/", "/healthz"} <= set(paths)
    auth = {"Authorization": f"Bearer {site.secret_key_live}", "Accept-Encoding": "br"}
    for path in paths:
        get = client.get(path, headers=auth, follow_redirects=False)
        head, body = fetch_raw(client, "HEAD", path, headers=auth, follow_redirects=False)
        assert head.status_code == get.status_code, path
        assert without_request_id(head.headers) == without_request_id(get.headers), path
        assert body == b"", path


def test_head_works_on_the_versioned_sdk_and_compressed_json(
    served: tuple[TestClient, CreatedSite],
) -> None:
    client, _ = served
    head, body = fetch_raw(client, "HEAD", "/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert head.headers["content-encoding"] == "gzip" and body == b""
    assert int(head.headers["content-length"]) > 1000
    assert client.head(sdk_url()).status_code == 200


def test_a_405_names_head_with_get(served: tuple[TestClient, CreatedSite]) -> None:
    client, _ = served
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert client.head("/v1/events").status_code == 405  # a POST-only route stays POST-only
