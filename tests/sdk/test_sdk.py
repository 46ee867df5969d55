"""The SDK file as storefronts get it: served, small, plain JavaScript that speaks the shared
vocabulary and never turns text into HTML."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

from elnudge.sdk import sdk_source
from elnudge.vocabulary import ALIASES, EventType, NudgeType

MAX_GZIPPED = 12 * 1024  # tracker and widget together, gzip level 9 of the served file


def test_sdk_is_under_12_kb_gzipped() -> None:
    size = len(gzip.compress(sdk_source(), compresslevel=9))
    assert size < MAX_GZIPPED, f"sdk.js is {size} bytes gzipped, {size - MAX_GZIPPED} too many"


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


def test_every_event_type_the_sdk_names_is_one_the_api_accepts() -> None:
    named = set(re.findall(r"'([A-Z][A-Z_]{3,})'", sdk_source().decode())) - {"POST"}
    assert named, "no event type found: has the SDK's quoting changed?"
    assert named <= {*EventType, *ALIASES}, named - {*EventType, *ALIASES}
    assert {"IDLE", "NUDGE_SHOWN", "NUDGE_CLICKED", "NUDGE_DISMISSED"} <= named


def test_the_widget_draws_exactly_the_nudge_types() -> None:
    [kinds] = re.findall(r"var KINDS = \[([^\]]*)\]", sdk_source().decode())
    assert sorted(re.findall(r"'([a-z_]+)'", kinds)) == sorted(NudgeType)


def test_the_widget_never_turns_text_into_html_or_code() -> None:
    """Messages come from the server and store settings: they are only ever set as text."""
    source = sdk_source().decode()
    sinks = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(")
    for sink in sinks:
        assert sink not in source, sink


def test_the_widget_loads_nothing_from_anywhere() -> None:
    """No image, font or stylesheet from another place: the avatar is the agent's initial."""
    source = sdk_source().decode()
    for reference in ("url(", "@import", "<img", "new Image", "@font-face"):
        assert reference not in source, reference
    # The only address in the file is the installation example's.
    assert re.findall(r"https?://[^\s'\"]*", source) == ["https://YOUR-ELNUDGE-HOST/sdk.js"]
