"""The SDK file as storefronts get it: served, small, plain JavaScript."""

from __future__ import annotations

import gzip
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

from elnudge.sdk import sdk_source

MAX_GZIPPED = 12 * 1024


def test_sdk_is_under_12_kb_gzipped() -> None:
    size = len(gzip.compress(sdk_source(), compresslevel=9))
    assert size < MAX_GZIPPED, f"sdk.js is {size} bytes gzipped"


def test_sdk_is_served_as_javascript(client: TestClient) -> None:
    response = client.get("/sdk.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.content == sdk_source()


def test_sdk_has_no_dependencies() -> None:
    source = sdk_source().decode()
    for marker in ("import ", "require(", "export "):
        assert marker not in source


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_sdk_parses_as_a_classic_script() -> None:
    subprocess.run(["node", "--check", "-"], input=sdk_source(), check=True, timeout=30)
