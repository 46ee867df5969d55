"""A real HTTP receiver on 127.0.0.1 for webhook tests: records every request and answers as
scripted (a status, a redirect, or a hang)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    # Answers in order; once used up, `default`. An int is a status; ("hang", s) sleeps s
    # seconds first then answers 200; ("redirect", url) answers 302 to url.
    script: list[object] = field(default_factory=list)
    default: object = 200


@contextmanager
def receiver() -> Iterator[Receiver]:
    lock = threading.Lock()
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            me = state["receiver"]
            with lock:
                me.received.append(Received(self.path, dict(self.headers.items()), body))
                answer = me.script.pop(0) if me.script else me.default
            if isinstance(answer, tuple) and answer[0] == "hang":
                time.sleep(float(answer[1]))
                answer = 200
            if isinstance(answer, tuple) and answer[0] == "redirect":
                self.send_response(302)
                self.send_header("Location", str(answer[1]))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            assert isinstance(answer, int)
            self.send_response(answer)
            self.send_header("Content-Length", "2")
            self.end_headers()
            with contextlib.suppress(OSError):  # the sender gave up (a hang)
                self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["receiver"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
