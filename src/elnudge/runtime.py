"""What a running app holds: settings, database, clock and rate limiters, built once and passed
to every service that needs them (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

from elnudge.clock import Clock, SystemClock
from elnudge.config import Settings
from elnudge.db import Database, create_database
from elnudge.ratelimit import RateLimiter


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    database: Database
    clock: Clock
    api_limiter: RateLimiter
    # Counts events, not requests: per public site key (docs/api.md, Plans and windows)...
    relay_limiter: RateLimiter
    # ...and per client address and site key (the address lives only in the limiter's window).
    relay_client_limiter: RateLimiter
    # Wrong dashboard passwords per account, and sign-in attempts per client address.
    signin_failure_limiter: RateLimiter
    signin_client_limiter: RateLimiter
    # The chat panel's messages: per session and per client address (docs/api.md, Conversations).
    chat_session_limiter: RateLimiter
    chat_client_limiter: RateLimiter


def build_runtime(
    settings: Settings, *, database: Database | None = None, clock: Clock | None = None
) -> Runtime:
    clock = clock or SystemClock()

    def limiter(rule: str) -> RateLimiter:
        return RateLimiter(rule, settings.redis_url, clock=clock)

    return Runtime(
        settings=settings,
        database=database or create_database(settings.database_url),
        clock=clock,
        api_limiter=limiter(settings.rate_limit or f"{settings.rate_limit_per_minute}/minute"),
        relay_limiter=limiter(f"{settings.relay_rate_limit_per_minute}/minute"),
        relay_client_limiter=limiter(f"{settings.relay_client_rate_limit_per_minute}/minute"),
        signin_failure_limiter=limiter(settings.dashboard_signin_failures),
        signin_client_limiter=limiter(settings.dashboard_signin_per_client),
        chat_session_limiter=limiter(f"{settings.chat_session_rate_limit_per_minute}/minute"),
        chat_client_limiter=limiter(f"{settings.chat_client_rate_limit_per_minute}/minute"),
    )
