"""Retries against a real local HTTP server that answers from a script: attempts are counted
by the server, waits by an injected sleep (so no test waits for real)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from elnudge import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    Client,
    InvalidRequestError,
    RateLimitError,
    ServerError,
)
from elnudge.client import RetryPolicy
from elnudge.client.retries import parse_retry_after
from tests.client.scripted import DROP, Answer, ScriptedServer, error, scripted
from tests.client.servers import free_port, run_async

KEY = "sk_test_scripted"
NO_JITTER = RetryPolicy(max_retries=3, jitter=lambda: 0.0)


def client_for(server: ScriptedServer, waits: list[float], **options: Any) -> Client:
    return Client(KEY, base_url=server.base_url, sleep=waits.append, **options)


@contextmanager
def scripted_client(
    *answers: Answer, **options: Any
) -> Iterator[tuple[ScriptedServer, Client, list[float]]]:
    """A client of a scripted server, its waits recorded instead of slept."""
    waits: list[float] = []
    with scripted(*answers) as server, client_for(server, waits, **options) as client:
        yield server, client, waits


def test_429_waits_exactly_retry_after_then_succeeds() -> None:
    rate_limited = error(429, "RateLimitExceeded", **{"Retry-After": "7"})
    with scripted_client(rate_limited) as (server, client, waits):
        page = client.sessions.list()
    assert page.data == [] and server.attempts == 2 and waits == [7.0]


def test_5xx_backs_off_exponentially_with_jitter() -> None:
    failures = [error(503, "Unavailable"), error(500, "InternalError"), error(502, "Bad")]
    waits: list[float] = []
    with scripted(*failures) as server, client_for(server, waits, retry_policy=NO_JITTER) as c:
        c.sessions.list()
    # No jitter: half of 0.5·2^n; with jitter each wait lies in [half, whole) of the nominal.
    assert server.attempts == 4 and waits == [0.25, 0.5, 1.0]
    jittered: list[float] = []
    with scripted(*failures) as server, client_for(server, jittered, max_retries=3) as c:
        c.sessions.list()
    for wait, nominal in zip(jittered, (0.5, 1.0, 2.0), strict=True):
        assert nominal / 2 <= wait < nominal


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_retries=10, initial_delay=1, max_delay=4, jitter=lambda: 0.999)
    assert [round(policy.backoff(n), 2) for n in range(5)] == [1.0, 2.0, 4.0, 4.0, 4.0]


def test_a_5xx_with_retry_after_waits_that() -> None:
    unavailable = error(503, "Unavailable", **{"Retry-After": "3"})
    with scripted_client(unavailable) as (server, client, waits):
        client.sessions.list()
    assert waits == [3.0] and server.attempts == 2


def test_a_dropped_connection_is_retried() -> None:
    waits: list[float] = []
    with scripted(DROP, DROP) as server, client_for(server, waits, retry_policy=NO_JITTER) as c:
        assert c.sessions.list().has_more is False
    assert server.attempts == 3 and waits == [0.25, 0.5]


def test_retries_are_bounded_and_then_the_error_is_raised() -> None:
    unavailable = [error(503, "Unavailable")] * 5
    with (
        scripted_client(*unavailable, max_retries=2) as (server, client, waits),
        pytest.raises(ServerError) as raised,
    ):
        client.sessions.list()
    assert server.attempts == 3 and len(waits) == 2
    assert raised.value.status == 503 and raised.value.request_id == "req_503"
    with (
        scripted_client(*unavailable, max_retries=0) as (server, client, waits),
        pytest.raises(ServerError),
    ):
        client.sessions.list()
    assert server.attempts == 1 and waits == []


def test_a_long_retry_after_is_raised_not_waited_for() -> None:
    rate_limited = error(429, "RateLimitExceeded", **{"Retry-After": "3600"})
    with (
        scripted_client(rate_limited) as (server, client, waits),
        pytest.raises(RateLimitError) as raised,
    ):
        client.sessions.list()
    assert server.attempts == 1 and waits == [] and raised.value.retry_after == 3600


def test_client_errors_are_not_retried() -> None:
    answer = Answer(400, {"error": "InvalidRequest", "message": "Bad limit.", "param": "limit"})
    with (
        scripted_client(answer) as (server, client, waits),
        pytest.raises(InvalidRequestError) as raised,
    ):
        client.sessions.list(limit=999)
    assert server.attempts == 1 and waits == [] and raised.value.param == "limit"
    # The Request-Id header stands in when the body has no request_id.
    assert raised.value.request_id is None


def test_a_retried_batch_carries_the_same_event_ids() -> None:
    events = [
        {"session_id": "s1", "event": "PAGE_VIEW", "ts": "2026-04-29T10:00:00Z", "url": "/"},
        {"event_id": "order-7", "session_id": "s1", "event": "PURCHASE", "ts": "2026-04-29"},
    ]
    ok = Answer(body={"accepted": 2, "duplicates": 0})
    with scripted_client(DROP, error(503, "Unavailable"), ok) as (server, client, _):
        result = client.events.send(events)
    bodies = [received.body for received in server.received]
    assert server.attempts == 3 and bodies[0] == bodies[1] == bodies[2]
    sent_ids = [event["event_id"] for event in bodies[0]["events"]]
    assert sent_ids == list(result.event_ids) and sent_ids[1] == "order-7"
    assert sent_ids[0] and "event_id" not in events[0]  # the caller's dicts are not changed


def test_no_server_at_all_is_a_connection_error_after_the_retries() -> None:
    waits: list[float] = []
    base_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with (
        Client(KEY, base_url=base_url, sleep=waits.append) as client,
        pytest.raises(APIConnectionError) as raised,
    ):
        client.sessions.list()
    assert len(waits) == 2 and not isinstance(raised.value, APITimeoutError)
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


def test_a_slow_answer_is_a_timeout_error() -> None:
    slow = Answer(delay=0.5)
    with (
        scripted_client(slow, slow, timeout=0.05, max_retries=1) as (server, client, waits),
        pytest.raises(APITimeoutError),
    ):
        client.sessions.list()
    assert server.attempts == 2 and len(waits) == 1


def test_every_request_names_the_client_and_the_key() -> None:
    import elnudge

    with scripted_client() as (server, client, _):
        client.sessions.list(limit=5, from_="2026-04-01")
    (request,) = server.received
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["User-Agent"].startswith(f"elnudge-python/{elnudge.__version__} ")
    assert request.path == "/v1/sessions?from=2026-04-01&limit=5"


def test_the_async_client_retries_the_same_way() -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    async def run(base_url: str) -> int:
        async with AsyncClient(
            KEY, base_url=base_url, sleep=record, retry_policy=NO_JITTER
        ) as client:
            page = await client.sessions.list()
            return len(page.data)

    script = (error(429, "RateLimitExceeded", **{"Retry-After": "2"}), DROP, error(503, "X"))
    with scripted(*script) as server:
        assert run_async(run(server.base_url)) == 0
    assert server.attempts == 4 and waits == [2.0, 0.5, 1.0]


@pytest.mark.parametrize(
    ("value", "seconds"), [("7", 7.0), ("0", 0.0), ("1.5", 1.5), ("-1", None), ("soon", None)]
)
def test_retry_after_parsing(value: str, seconds: float | None) -> None:
    assert parse_retry_after({"retry-after": value}) == seconds
