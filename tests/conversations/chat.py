"""The chat panel's relay routes, called as the SDK would, for tests: the message's answer whole
(JSON) or streamed (server-sent events, as the SDK asks for it)."""

from __future__ import annotations

from typing import Any

import httpx2
import orjson
from fastapi.testclient import TestClient

from elnudge.conversations.schemas import ChatStreamLine
from tests.storefront import CHROME, DEFAULT_SESSION, ORIGIN

EVENTS = "text/event-stream"


class ChatPanel:
    """POSTs to /v1/relay/messages and /v1/relay/transcript with one site key; `streamed`:
    messages ask for the stream of events, as the SDK does."""

    def __init__(
        self,
        client: TestClient,
        site_key: str,
        session: str = DEFAULT_SESSION,
        *,
        streamed: bool = False,
    ) -> None:
        self.client = client
        self.site_key = site_key
        self.session = session
        self.streamed = streamed

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx2.Response:
        sent = {"content-type": "text/plain;charset=UTF-8", "user-agent": CHROME, "origin": ORIGIN}
        if self.streamed and path == "messages":
            sent["accept"] = EVENTS
        return self.client.post(
            f"/v1/relay/{path}", content=orjson.dumps(body), headers={**sent, **(headers or {})}
        )

    def say(self, text: str, **extra: Any) -> httpx2.Response:
        body = {"site_key": self.site_key, "session_id": self.session, "text": text, **extra}
        return self.post("messages", body)

    def ask(self, text: str, **extra: Any) -> dict[str, Any]:
        """Send and insist on a 200; the reply (`ShopperReply`; when streamed, made of the
        stream's whole messages, as the JSON answer is)."""
        response = self.say(text, **extra)
        assert response.status_code == 200, response.text
        if not self.streamed:
            assert response.headers["content-type"] == "application/json"
            reply: dict[str, Any] = response.json()
            return reply
        messages = [line["message"] for line in stream_lines(response) if "message" in line]
        return {"conversation_id": self.transcript()["conversation_id"], "messages": messages}

    def lines(self, text: str) -> list[dict[str, Any]]:
        """The streamed answer's lines (whatever `streamed` says)."""
        body = {"site_key": self.site_key, "session_id": self.session, "text": text}
        response = self.post("messages", body, {"accept": EVENTS})
        assert response.status_code == 200, response.text
        return stream_lines(response)

    def transcript(self) -> dict[str, Any]:
        response = self.post("transcript", {"site_key": self.site_key, "session_id": self.session})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


def stream_lines(response: httpx2.Response) -> list[dict[str, Any]]:
    """A streamed answer's lines (its events' data), each checked against `ChatStreamLine`,
    with the stream's headers (CORS-open, never cached nor buffered)."""
    assert response.headers["content-type"].startswith(EVENTS)
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "no-store"
    events = response.content.split(b"\n\n")
    assert events.pop() == b""  # every event ends with its blank line
    assert all(event.startswith(b"data: ") and b"\n" not in event for event in events)
    lines: list[dict[str, Any]] = [orjson.loads(event[6:]) for event in events]
    for line in lines:
        ChatStreamLine.model_validate(line)
    return lines
