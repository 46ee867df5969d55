"""The moving window counts the same way in memory and in Redis (shared between processes).

The memory window reads the injected clock, so its time is moved here, never waited for.
`limits` keeps Redis windows on the real clock: those tests check counting, costs, sharing and
an honest Retry-After, and leave the passing of time to the library's own tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

import pytest
import redis

from elnudge.clock import FrozenClock
from elnudge.errors import RateLimitExceeded
from elnudge.ratelimit import RateLimiter
from tests.conftest import IN_CI

REDIS_URL = os.environ.get("ELNUDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

NewLimiter = Callable[[str], RateLimiter]


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis is not reachable at {REDIS_URL}: {error}"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: Redis tests must run, not skip)")
        pytest.skip(reason)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(1_777_000_000_000)


@pytest.fixture(params=["memory", "redis"])
def new_limiter(request: pytest.FixtureRequest, clock: FrozenClock) -> NewLimiter:
    if request.param == "memory":
        return lambda rule: RateLimiter(rule, clock=clock)
    _redis_or_skip()
    return lambda rule: RateLimiter(rule, REDIS_URL, clock=clock)


def _key() -> str:
    return f"key_{uuid.uuid4().hex}"  # Redis outlives the test: never reuse a key


def _refusal(limiter: RateLimiter, key: str, cost: int = 1) -> RateLimitExceeded | None:
    try:
        limiter.hit(key, cost)
    except RateLimitExceeded as refused:
        return refused
    return None


def test_exactly_the_limit_passes_and_retry_after_is_in_the_window(
    new_limiter: NewLimiter,
) -> None:
    limiter, key = new_limiter("3/2 seconds"), _key()
    assert [_refusal(limiter, key) for _ in range(3)] == [None] * 3
    refused = _refusal(limiter, key)
    assert refused is not None and 1 <= refused.retry_after <= 2
    assert _refusal(limiter, _key()) is None  # another key has its own window


def test_retry_after_is_honest(clock: FrozenClock) -> None:
    limiter, key = RateLimiter("3/10 seconds", clock=clock), _key()
    limiter.hit(key)
    clock.advance(seconds=4)
    limiter.hit(key, cost=2)
    refused = _refusal(limiter, key)
    assert refused is not None and refused.retry_after == 6  # the first hit leaves at 10 s
    clock.advance(seconds=5.999)
    assert _refusal(limiter, key) is not None  # one millisecond early
    clock.advance(ms=1)
    assert _refusal(limiter, key) is None


def test_costs_add_up_and_a_refused_hit_counts_nothing(new_limiter: NewLimiter) -> None:
    limiter, key = new_limiter("10/minute"), _key()
    assert _refusal(limiter, key, cost=6) is None
    assert _refusal(limiter, key, cost=5) is not None  # 11 > 10: refused, not counted
    assert _refusal(limiter, key, cost=4) is None  # 10: exactly the limit
    assert _refusal(limiter, key) is not None


def test_the_window_moves_rather_than_resetting(clock: FrozenClock) -> None:
    limiter, key = RateLimiter("2/2 seconds", clock=clock), _key()
    assert _refusal(limiter, key) is None
    clock.advance(seconds=1.2)
    assert _refusal(limiter, key) is None
    assert _refusal(limiter, key) is not None
    clock.advance(seconds=0.8)  # the first hit has left the window, the second has not
    assert _refusal(limiter, key) is None
    assert _refusal(limiter, key) is not None


def test_redis_counts_are_shared_between_processes(clock: FrozenClock) -> None:
    _redis_or_skip()
    first = RateLimiter("2/minute", REDIS_URL, clock=clock)
    second = RateLimiter("2/minute", REDIS_URL, clock=clock)
    key = _key()
    assert _refusal(first, key) is None and _refusal(second, key) is None
    assert _refusal(first, key) is not None and _refusal(second, key) is not None


def test_memory_forgets_keys_that_went_quiet(clock: FrozenClock) -> None:
    limiter = RateLimiter("5/1 second", clock=clock)
    window = limiter._window  # what the sweep keeps is only visible inside
    for _ in range(12_000):
        limiter.hit(_key())
    clock.advance(seconds=1.1)
    for _ in range(10_000):
        _refusal(limiter, "steady")
    assert set(window._hits) == {"steady"}  # type: ignore[attr-defined]


def test_check_refuses_a_full_key_and_counts_nothing(new_limiter: NewLimiter) -> None:
    limiter, key = new_limiter("2/minute"), _key()
    for _ in range(5):
        limiter.check(key)  # checking never fills the window
    limiter.check(_key())  # a key never seen has room
    limiter.hit(key)
    limiter.check(key)
    limiter.hit(key)
    with pytest.raises(RateLimitExceeded) as refused:
        limiter.check(key)
    assert 1 <= refused.value.retry_after <= 60
