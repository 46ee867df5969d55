"""Sending a `Call` over httpx with retries, and reading its answer, sync and async.

Both requesters share everything but the I/O: the headers, the body encoding (orjson), the
retry decisions (`RetryPolicy`) and the mapping of answers to results or exceptions. Each
owns its own `httpx.Client`/`AsyncClient`: there is no module-level state.
"""

from __future__ import annotations

import asyncio
import platform
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import orjson

from elnudge import __version__
from elnudge.client.calls import Call
from elnudge.client.errors import APIConnectionError, APITimeoutError, error_for
from elnudge.client.retries import RetryPolicy, parse_retry_after

T = TypeVar("T")
USER_AGENT = (
    f"elnudge-python/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
)
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def headers_for(api_key: str) -> dict[str, str]:
    if not api_key or not api_key.strip():
        raise ValueError("an API key is required (sk_live_… or sk_test_…)")
    return {
        "Authorization": f"Bearer {api_key.strip()}",
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
    }


def _request_args(call: Call[Any]) -> dict[str, Any]:
    args: dict[str, Any] = {"params": call.params}
    if call.body is not None:
        args["content"] = orjson.dumps(call.body)
        args["headers"] = {"Content-Type": "application/json"}
    return args


def _decode(response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.text[:500] or None


def _result(call: Call[T], response: httpx.Response) -> T:
    """The call's result for a 2xx, or the error it stands for."""
    body = _decode(response)
    if response.is_success:
        return call.parse(body)
    raise error_for(
        response.status_code, body, response.headers, parse_retry_after(response.headers)
    )


def _connection_error(error: Exception) -> APIConnectionError:
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"No answer within the timeout: {error!r}")
    return APIConnectionError(f"Could not reach the elNudge API: {error!r}")


def _wait_after_error(
    retries: RetryPolicy, call: Call[Any], error: Exception, attempt: int
) -> float | None:
    return retries.wait_after_error(error, attempt) if call.retry_safe else None


def _wait_after_status(
    retries: RetryPolicy, call: Call[Any], response: httpx.Response, attempt: int
) -> float | None:
    if not call.retry_safe or response.is_success:
        return None
    return retries.wait_after_status(response.status_code, response.headers, attempt)


class Requester:
    """Sends calls with `httpx.Client`; `sleep` waits between attempts (injectable)."""

    def __init__(
        self,
        http: httpx.Client,
        retries: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = http
        self.retries = retries
        self.sleep = sleep

    def send(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                response = self.http.request(call.method, call.path, **_request_args(call))
            except httpx.TransportError as error:
                wait = _wait_after_error(self.retries, call, error, attempt)
                if wait is None:
                    raise _connection_error(error) from error
            else:
                wait = _wait_after_status(self.retries, call, response, attempt)
                if wait is None:
                    return _result(call, response)
            self.sleep(wait)
            attempt += 1


class AsyncRequester:
    """Sends calls with `httpx.AsyncClient`; `sleep` waits between attempts (injectable)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        retries: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.http = http
        self.retries = retries
        self.sleep = sleep

    async def send(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                response = await self.http.request(call.method, call.path, **_request_args(call))
            except httpx.TransportError as error:
                wait = _wait_after_error(self.retries, call, error, attempt)
                if wait is None:
                    raise _connection_error(error) from error
            else:
                wait = _wait_after_status(self.retries, call, response, attempt)
                if wait is None:
                    return _result(call, response)
            await self.sleep(wait)
            attempt += 1
