"""Responses as they travel: the test client decodes gzip and brotli by itself, and these
tests need the bytes on the wire."""

from __future__ import annotations

import gzip
from typing import Any

import brotli
from fastapi.testclient import TestClient


def fetch_raw(client: TestClient, method: str, url: str, **options: Any) -> tuple[Any, bytes]:
    """The response and its body exactly as sent (still compressed)."""
    with client.stream(method, url, **options) as response:
        return response, b"".join(response.iter_raw())


def decode(body: bytes, coding: str | None) -> bytes:
    """`body` decompressed from `coding` (None: as is)."""
    if coding == "br":
        return bytes(brotli.decompress(body))
    if coding == "gzip":
        return gzip.decompress(body)
    assert coding is None, coding
    return body
