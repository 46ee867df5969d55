"""Calling the relay as a browser's SDK would."""

from __future__ import annotations

from typing import Any

import httpx2
import orjson
import pytest
from fastapi.testclient import TestClient

from elnudge.sites.service import CreatedSite

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
ORIGIN = "https://shop.example"
OWN_KEY = object()  # the fixture's site key


class Relay:
    """POSTs to /v1/relay with one site key, from a desktop Chrome on the shop's origin."""

    def __init__(self, client: TestClient, site_key: str) -> None:
        self.client = client
        self.site_key = site_key

    def post(
        self,
        *events: dict[str, Any],
        sent_at: Any = None,
        site_key: Any = OWN_KEY,
        headers: dict[str, str] | None = None,
        content_type: str = "text/plain;charset=UTF-8",
    ) -> httpx2.Response:
        body: dict[str, Any] = {
            "site_key": self.site_key if site_key is OWN_KEY else site_key,
            "events": list(events),
        }
        if sent_at is not None:
            body["sent_at"] = sent_at
        return self.raw(orjson.dumps(body), headers=headers, content_type=content_type)

    def raw(
        self,
        content: bytes,
        *,
        headers: dict[str, str] | None = None,
        content_type: str = "text/plain;charset=UTF-8",
    ) -> httpx2.Response:
        sent = {"content-type": content_type, "user-agent": CHROME, "origin": ORIGIN}
        return self.client.post("/v1/relay", content=content, headers={**sent, **(headers or {})})

    def send(self, *events: dict[str, Any], **options: Any) -> dict[str, Any]:
        """Post and insist on a 200; the counts."""
        response = self.post(*events, **options)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def relay(client: TestClient, site: CreatedSite) -> Relay:
    return Relay(client, site.site_key_live)
