"""sdk.js delivered like a CDN would: compressed once in both codings, revalidated by ETag,
answering HEAD, and at a versioned URL that changes with the file and is cached for a year."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from elnudge.sdk import endpoints, sdk_asset, sdk_source, sdk_url
from elnudge.web.assets import IMMUTABLE, SHORT_LIVED, Asset
from tests.http_raw import decode, fetch_raw

README = Path(__file__).parents[2] / "README.md"


@pytest.mark.parametrize(
    ("accept", "coding"),
    [(None, None), ("identity", None), ("gzip", "gzip"), ("gzip, br", "br"), ("br;q=0", None)],
)
def test_every_coding_decodes_to_the_same_bytes(
    client: TestClient, accept: str | None, coding: str | None
) -> None:
    headers = {"Accept-Encoding": accept or ""}
    response, raw = fetch_raw(client, "GET", "/sdk.js", headers=headers)
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == coding
    assert response.headers["vary"] == "Accept-Encoding"
    assert int(response.headers["content-length"]) == len(raw)
    assert decode(raw, coding) == sdk_source()


def test_compressed_bodies_are_much_smaller(client: TestClient) -> None:
    sizes = {}
    for coding in ("gzip", "br"):
        _, raw = fetch_raw(client, "GET", "/sdk.js", headers={"Accept-Encoding": coding})
        sizes[coding] = len(raw)
    assert sizes["br"] < sizes["gzip"] < len(sdk_source()) / 2


def test_an_etag_the_client_has_gets_a_304_without_a_body(client: TestClient) -> None:
    first = client.get("/sdk.js", headers={"Accept-Encoding": "br"})
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{12}-br"', etag)
    again, raw = fetch_raw(client, "GET", "/sdk.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and raw == b""
    assert again.headers["cache-control"] == SHORT_LIVED
    stale = client.get("/sdk.js", headers={"If-None-Match": '"0123456789ab"'})
    assert stale.status_code == 200 and stale.content == sdk_source()


def test_each_coding_has_its_own_etag(client: TestClient) -> None:
    tags = {
        coding: client.get("/sdk.js", headers={"Accept-Encoding": coding}).headers["etag"]
        for coding in ("identity", "gzip", "br")
    }
    assert len(set(tags.values())) == 3


def test_head_has_the_get_headers_and_no_body(client: TestClient) -> None:
    for url in ("/sdk.js", sdk_url()):
        for accept in ("br", "gzip", ""):
            get = client.get(url, headers={"Accept-Encoding": accept})
            head, raw = fetch_raw(client, "HEAD", url, headers={"Accept-Encoding": accept})
            assert head.status_code == 200 and raw == b""
            assert _comparable(head.headers) == _comparable(get.headers)


def _comparable(headers: object) -> dict[str, str]:
    return {k: v for k, v in dict(headers).items() if k != "request-id"}  # type: ignore[call-overload]


def test_the_versioned_url_is_immutable_and_the_stable_one_short_lived(client: TestClient) -> None:
    stable = client.get("/sdk.js")
    versioned = client.get(sdk_url())
    assert sdk_url() == f"/sdk/{sdk_asset().digest}.js"
    assert versioned.status_code == 200 and versioned.content == stable.content
    assert versioned.headers["cache-control"] == IMMUTABLE
    assert stable.headers["cache-control"] == SHORT_LIVED
    assert stable.headers["link"] == f'<{sdk_url()}>; rel="canonical"'
    assert versioned.headers["access-control-allow-origin"] == "*"


def test_an_older_version_redirects_to_the_stable_url(client: TestClient) -> None:
    response = client.get("/sdk/0123456789ab.js", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/sdk.js"
    assert response.headers["cache-control"] == "no-cache"


def test_a_version_that_is_no_hash_is_a_400_naming_it(client: TestClient) -> None:
    response = client.get("/sdk/latest.js")
    assert response.status_code == 400 and response.json()["param"] == "version"


@pytest.fixture
def edited_sdk(monkeypatch: pytest.MonkeyPatch) -> Iterator[Asset]:
    """The SDK as a later release would ship it: the same file with one more line."""
    edited = Asset("sdk.js", sdk_source() + b"\n// a later release\n").warm()
    monkeypatch.setattr(endpoints, "sdk_asset", lambda: edited)
    yield edited


def test_the_versioned_url_changes_when_the_file_does(
    client: TestClient, edited_sdk: Asset
) -> None:
    old = f"/sdk/{sdk_asset.__wrapped__().digest}.js"
    assert sdk_url() != old
    assert client.get(sdk_url()).content == edited_sdk.body
    assert client.get(old, follow_redirects=False).status_code == 307
    assert client.get("/sdk.js").headers["link"] == f'<{sdk_url()}>; rel="canonical"'


def test_the_readme_snippet_uses_the_versioned_url() -> None:
    snippets = re.findall(
        r'<script async src="https://YOUR-ELNUDGE-HOST(/sdk[^"]*)"', README.read_text()
    )
    assert snippets, "no SDK snippet in the README"
    assert set(snippets) == {sdk_url()}, f"update the README's snippet to {sdk_url()}"
