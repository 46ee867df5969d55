"""What a running app holds: settings, database, clock and rate limiters, built once."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from elnudge.clock import Clock
from elnudge.config import Settings
from elnudge.db import Database
from elnudge.web.ratelimit import RateLimiter


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    database: Database
    clock: Clock
    api_limiter: RateLimiter
    # Counts events, not requests: per public site key (PRODUCT.md §3)...
    relay_limiter: RateLimiter
    # ...and per client address and site key (the address lives only in the limiter's window).
    relay_client_limiter: RateLimiter


def runtime_of(request: Request) -> Runtime:
    """The running app's Runtime (set by `create_app`)."""
    runtime: Runtime = request.app.state.runtime
    return runtime
