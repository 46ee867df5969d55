"""The chat panel's relay routes, called as the SDK would, for tests."""

from __future__ import annotations

from typing import Any

import httpx2
import orjson
from fastapi.testclient import TestClient

from tests.storefront import CHROME, DEFAULT_SESSION, ORIGIN


class ChatPanel:
    """POSTs to /v1/relay/messages and /v1/relay/transcript with one site key."""

    def __init__(self, client: TestClient, site_key: str, session: str = DEFAULT_SESSION) -> None:
        self.client = client
        self.site_key = site_key
        self.session = session

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx2.Response:
        sent = {"content-type": "text/plain;charset=UTF-8", "user-agent": CHROME, "origin": ORIGIN}
        return self.client.post(
            f"/v1/relay/{path}", content=orjson.dumps(body), headers={**sent, **(headers or {})}
        )

    def say(self, text: str, **extra: Any) -> httpx2.Response:
        body = {"site_key": self.site_key, "session_id": self.session, "text": text, **extra}
        return self.post("messages", body)

    def ask(self, text: str, **extra: Any) -> dict[str, Any]:
        """Send and insist on a 200; the reply."""
        response = self.say(text, **extra)
        assert response.status_code == 200, response.text
        reply: dict[str, Any] = response.json()
        return reply

    def transcript(self) -> dict[str, Any]:
        response = self.post("transcript", {"site_key": self.site_key, "session_id": self.session})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result
