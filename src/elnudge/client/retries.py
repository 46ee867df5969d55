"""When to try a request again, and how long to wait first. Pure: no I/O, no clock.

- A 429 waits exactly the server's `Retry-After` (it knows when the window frees up).
- A 5xx, a dropped or refused connection and a timeout wait an exponential backoff with jitter:
  `initial_delay · 2^attempt`, capped at `max_delay`, then scaled by a random factor in
  [0.5, 1) so that many clients failing together do not come back together. A 5xx that carries
  `Retry-After` waits that instead.
- A `Retry-After` longer than `max_retry_after` is not waited for: the error is raised with it.
- Only calls safe to repeat are retried. Every call of the API is (reads, the idempotent
  `DELETE /v1/visitors/…`, the side-effect-free preview), and `POST /v1/events` is made so by
  an `event_id` on every event: the client adds one when the caller did not.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

# Failures where the request may not have reached the server or its answer got lost.
RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times to retry and how long to wait; `jitter` returns a float in [0, 1)."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: Callable[[], float] = field(default=random.random, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")

    def wait_after_status(
        self, status: int, headers: Mapping[str, str], attempt: int
    ) -> float | None:
        """Seconds to wait before retry number `attempt + 1` after this answer, or None to
        give up (not retryable, retries used up, or the server asks for too long a wait)."""
        if attempt >= self.max_retries or not (status == 429 or status >= 500):
            return None
        retry_after = parse_retry_after(headers)
        if retry_after is None:
            return self.backoff(attempt) if status >= 500 else self.initial_delay
        return retry_after if retry_after <= self.max_retry_after else None

    def wait_after_error(self, error: Exception, attempt: int) -> float | None:
        """Seconds to wait after a failed connection, or None to give up."""
        if attempt >= self.max_retries or not isinstance(error, RETRYABLE_ERRORS):
            return None
        return self.backoff(attempt)

    def backoff(self, attempt: int) -> float:
        """The exponential wait before retry number `attempt + 1`, with jitter."""
        nominal = min(self.max_delay, self.initial_delay * 2.0**attempt)
        return nominal * (0.5 + self.jitter() / 2)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` in seconds (the API sends whole seconds); None when absent or not a
    number (an HTTP date is treated as absent: elNudge never sends one)."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
