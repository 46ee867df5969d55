"""Per-key request limits with the `limits` library: in memory, or in Redis when several API
processes must share their counters."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from elnudge.errors import RateLimitExceeded


class RateLimiter:
    """A moving window: at most `rule` (e.g. "1000/minute") hits per key."""

    def __init__(self, rule: str, storage_uri: str | None = None) -> None:
        self._item: RateLimitItem = parse(rule)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri or "memory://"))

    def hit(self, key: str, cost: int = 1) -> None:
        """Count `cost` units (requests, or the relay's events) for `key`, or raise
        RateLimitExceeded with the seconds to wait. A refused hit counts nothing."""
        if self._limiter.hit(self._item, key, cost=cost):
            return
        reset_at, _remaining = self._limiter.get_window_stats(self._item, key)
        raise RateLimitExceeded(retry_after=max(1, math.ceil(reset_at - time.time())))
