"""A local server that speaks the OpenAI-compatible chat-completions protocol (streaming
included), for the llm responder's tests: it records each request and answers as scripted."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    """What the server answers: `words` streamed one chunk each, after `delay` seconds per
    chunk and `pauses[i]` more before chunk i; or an HTTP `status` error. `sent` counts the
    chunks written before the client went away or the answer ended."""

    words: list[str] = field(default_factory=lambda: ["We ship ", "to Canada ", "in 7 days."])
    delay: float = 0.0
    pauses: dict[int, float] = field(default_factory=dict)
    sent: int = 0
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


def _chunk(content: str | None, finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [
            {"index": 0, "delta": {} if content is None else {"content": content},
             "finish_reason": finish}
        ],
    }  # fmt: skip
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            script.requests.append(json.loads(self.rfile.read(length)))
            script.headers.append({k.lower(): v for k, v in self.headers.items()})
            if script.status != 200:
                self.send_response(script.status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "scripted failure"}}')
                return
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            try:
                for index, word in enumerate(script.words):
                    time.sleep(script.delay + script.pauses.get(index, 0.0))
                    self.wfile.write(_chunk(word))
                    self.wfile.flush()
                    script.sent += 1
                self.wfile.write(_chunk(None, "stop") + b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler


@contextmanager
def fake_openai(script: Script) -> Iterator[str]:
    """The server's base URL (…/v1) while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
