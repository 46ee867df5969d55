"""`Client` and `AsyncClient`: one API key, one base URL, one pool of connections each."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any

import httpx

from elnudge.client import calls, resources
from elnudge.client.requester import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    AsyncRequester,
    Requester,
    headers_for,
)
from elnudge.client.retries import RetryPolicy

Timeout = float | httpx.Timeout
Params = Mapping[str, str | int]


def _policy(max_retries: int, retry_policy: RetryPolicy | None) -> RetryPolicy:
    return retry_policy or RetryPolicy(max_retries=max_retries)


class Client:
    """The elNudge API, synchronously.

    >>> client = Client("sk_live_…", base_url="http://127.0.0.1:8000")
    >>> for session in client.sessions.list(limit=200).auto_paging_iter():
    ...     print(session.id, session.intent_score)

    Resources: `sessions` (list, retrieve), `events` (send), `nudges` (list, preview),
    `reports` (nudges), `visitors` (delete). Failures raise `elnudge.APIError` subclasses
    (with `status`, `param`, `request_id`) or `APIConnectionError`.

    `max_retries` (default 2) bounds retries of 429 (after `Retry-After`), 5xx and connection
    errors (exponential backoff with jitter); `retry_policy` tunes the waits. `timeout` is
    in seconds or an `httpx.Timeout`. `transport` replaces the network (tests, proxies) and
    `sleep` the wait between attempts. Use it as a context manager, or call `close()`.
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        retry_policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        http = httpx.Client(
            base_url=self.base_url,
            headers=headers_for(api_key),
            timeout=timeout,
            transport=transport,
        )
        requester = Requester(http, _policy(max_retries, retry_policy), sleep)
        self._requester = requester
        self._http = http
        self.sessions = resources.Sessions(requester)
        self.events = resources.Events(requester)
        self.nudges = resources.Nudges(requester)
        self.reports = resources.Reports(requester)
        self.visitors = resources.Visitors(requester)

    def raw_request(
        self, method: str, path: str, *, params: Params | None = None, body: Any = None
    ) -> Any:
        """Any API request (e.g. an endpoint newer than this client), answered as the decoded
        JSON; errors raise as usual. Retried like the others for GET and DELETE."""
        return self._requester.send(calls.raw(method, path, params, body))

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:  # never the key
        return f"<elnudge.Client {self.base_url}>"


class AsyncClient:
    """The elNudge API for asyncio: the same resources and arguments as `Client`, awaited.

    >>> async with AsyncClient("sk_live_…", base_url="http://127.0.0.1:8000") as client:
    ...     page = await client.sessions.list(limit=200)
    ...     async for session in page.auto_paging_iter():
    ...         print(session.id)
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        retry_policy: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers_for(api_key),
            timeout=timeout,
            transport=transport,
        )
        requester = AsyncRequester(http, _policy(max_retries, retry_policy), sleep)
        self._requester = requester
        self._http = http
        self.sessions = resources.AsyncSessions(requester)
        self.events = resources.AsyncEvents(requester)
        self.nudges = resources.AsyncNudges(requester)
        self.reports = resources.AsyncReports(requester)
        self.visitors = resources.AsyncVisitors(requester)

    async def raw_request(
        self, method: str, path: str, *, params: Params | None = None, body: Any = None
    ) -> Any:
        """Any API request (e.g. an endpoint newer than this client), answered as the decoded
        JSON; errors raise as usual. Retried like the others for GET and DELETE."""
        return await self._requester.send(calls.raw(method, path, params, body))

    async def close(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:  # never the key
        return f"<elnudge.AsyncClient {self.base_url}>"
