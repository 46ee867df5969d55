"""Plans and what they grant (docs/api.md, "Plans and windows"). The numbers live here and
nowhere else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    api_window_days: int  # sessions visible through the API, by started_at
    storage_days: int  # kept before purge
    # Live, non-bot sessions a month the nudge engine may reach (None: unlimited); a site's
    # engine settings may override it.
    monthly_sessions: int | None


PLANS: dict[str, Plan] = {
    plan.name: plan
    for plan in (
        Plan("starter", api_window_days=30, storage_days=90, monthly_sessions=5_000),
        Plan("growth", api_window_days=30, storage_days=90, monthly_sessions=25_000),
        Plan("scale", api_window_days=90, storage_days=365, monthly_sessions=100_000),
        Plan("enterprise", api_window_days=90, storage_days=365, monthly_sessions=None),
    )
}
PLAN_NAMES = tuple(PLANS)
# Enterprise overrides are bounded: ten years is longer than any store asks for, and keeps every
# window's start well after 1970 (event times before it are refused).
MAX_OVERRIDE_DAYS = 3650


def api_window_days(plan: str, override: int | None) -> int:
    """Days of sessions the API shows; only enterprise sites may override it."""
    if plan == "enterprise" and override is not None:
        return override
    return PLANS[plan].api_window_days


def storage_days(plan: str, override: int | None) -> int:
    """Days of data kept before purge; never shorter than what the API shows."""
    if plan == "enterprise" and override is not None:
        return override
    return PLANS[plan].storage_days
