"""A local HTTP server that answers from a script, to test the client's retries for real:
429 with `Retry-After`, 503, connections dropped without an answer, slow answers, success.
It records every request it received."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OK_PAGE = {"data": [], "has_more": False, "next_cursor": None}


@dataclass(frozen=True)
class Answer:
    """`status` and `body` with `headers`; `drop` closes the connection without answering;
    `delay` waits that many seconds first (for timeouts)."""

    status: int = 200
    body: Any = field(default_factory=lambda: OK_PAGE)
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay: float = 0.0


DROP = Answer(drop=True)


def error(status: int, code: str, **headers: str) -> Answer:
    body = {"error": code, "message": f"{code} (scripted)", "request_id": f"req_{status}"}
    return Answer(status, body, headers)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class ScriptedServer:
    def __init__(self, answers: list[Answer]) -> None:
        self.script = deque(answers)
        self.received: list[Received] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.answer(self)

            def do_POST(self) -> None:
                server.answer(self)

            def do_DELETE(self) -> None:
                server.answer(self)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._http.server_address[1]}"

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        self.received.append(
            Received(
                handler.command,
                handler.path,
                dict(handler.headers.items()),
                json.loads(raw) if raw else None,
            )
        )
        answer = self.script.popleft() if self.script else Answer()
        time.sleep(answer.delay)
        if answer.drop:
            handler.close_connection = True
            handler.connection.close()
            return
        payload = json.dumps(answer.body).encode()
        handler.send_response(answer.status)
        for name, value in {"Content-Type": "application/json", **answer.headers}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    @property
    def attempts(self) -> int:
        return len(self.received)


@contextmanager
def scripted(*answers: Answer) -> Iterator[ScriptedServer]:
    server = ScriptedServer(list(answers))
    thread = threading.Thread(target=server._http.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server._http.shutdown()
        server._http.server_close()
        thread.join()
