"""The demo shop's stylesheet and script, delivered like sdk.js: versioned URLs in its pages,
cached for a year there, compressed, revalidated by ETag."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from elnudge.app import create_app
from elnudge.config import Settings
from elnudge.sdk import sdk_url
from elnudge.storefront import ShopConfig
from elnudge.storefront.app import static_assets
from elnudge.web.assets import IMMUTABLE, SHORT_LIVED
from tests.http_raw import decode, fetch_raw


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("shop")
    settings = Settings(database_url=f"sqlite:///{folder / 'shop.db'}", shop_site_key="pk_x")
    with TestClient(create_app(settings)) as client:
        yield client


def test_pages_reference_versioned_urls(served: TestClient) -> None:
    page = served.get("/shop/cart").text
    css, js = static_assets()
    assert f'href="/shop/static/{css.versioned_name}"' in page
    assert f'src="/shop/static/{js.versioned_name}"' in page
    assert f'src="{sdk_url()}"' in page
    assert ShopConfig(site_key="pk_x").sdk_url == sdk_url()


@pytest.mark.parametrize("coding", ["br", "gzip"])
def test_versioned_files_are_immutable_and_compressed(served: TestClient, coding: str) -> None:
    for asset in static_assets():
        url = f"/shop/static/{asset.versioned_name}"
        response, raw = fetch_raw(served, "GET", url, headers={"Accept-Encoding": coding})
        assert response.headers["cache-control"] == IMMUTABLE
        assert response.headers["content-encoding"] == coding
        assert decode(raw, coding) == asset.body
        again = served.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


def test_stable_names_still_work_and_unknown_ones_404(served: TestClient) -> None:
    stable = served.get("/shop/static/shop.css")
    assert stable.status_code == 200 and stable.headers["cache-control"] == SHORT_LIVED
    assert re.match(r"text/css", stable.headers["content-type"])
    assert served.get("/shop/static/shop.000000000000.css").status_code == 404
    assert served.get("/shop/static/nothing.js").status_code == 404
