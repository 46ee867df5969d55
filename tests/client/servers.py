"""Ways to reach a real elNudge API from the client's tests.

- `BlockingASGITransport`: the app in this process, for the sync `Client` (httpx's own
  `ASGITransport` is async only, so the app runs on an event loop in a helper thread);
- `LiveServer`: `elnudge serve` as a subprocess on a free port, as a user would run it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import httpx
from anyio.from_thread import start_blocking_portal

ELNUDGE = str(Path(sys.executable).with_name("elnudge"))
T = TypeVar("T")


class BlockingASGITransport(httpx.BaseTransport):
    """An ASGI app behind a sync httpx transport."""

    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app)
        self._stack = ExitStack()
        self._portal = self._stack.enter_context(start_blocking_portal())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def round_trip() -> tuple[int, httpx.Headers, bytes]:
            response = await self._asgi.handle_async_request(request)
            # The bytes as sent: the Response built below decodes its Content-Encoding itself.
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
            return response.status_code, response.headers, raw

        status, headers, content = self._portal.call(round_trip)
        return httpx.Response(status, headers=headers, content=content, request=request)

    def close(self) -> None:
        self._stack.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """`elnudge serve` on 127.0.0.1 and a free port, stopped by its own process id."""

    def __init__(self, database_url: str, log: Path, **environment: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        # No webhook worker: the server outlives many tests on the session's shared database,
        # and would deliver (with the real clock) what their own workers are there to send.
        env = {
            **os.environ,
            "ELNUDGE_DATABASE_URL": database_url,
            "ELNUDGE_WEBHOOKS_WORKER": "false",
            **environment,
        }
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [ELNUDGE, "serve", "--port", str(self.port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{self.base_url}/healthz", timeout=2).raise_for_status()
                return
            except httpx.TransportError as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    message = f"elnudge serve did not start: see {self._log.name}"
                    raise RuntimeError(message) from error
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self._log.close()


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a thread of its own: the suite's browser tests keep an event loop
    running on the main thread (Playwright's sync API), where `asyncio.run` refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, work).result()
