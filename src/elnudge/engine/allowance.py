"""The monthly allowance: how many live, non-bot sessions a site's nudges may reach in a UTC
calendar month. Sessions that start after it is used get no nudges (their events are still
recorded); the count starts again on the 1st.

The caller counts: a session's ordinal is its place (1 for the first) among the month's live,
non-bot sessions in start order, fixed when the session starts. Test-mode sessions use no
allowance, so the caller passes `within_allowance=True` for them.
"""

from __future__ import annotations

from elnudge.engine.settings import EngineSettings
from elnudge.engine.thresholds import Allowance


def monthly_allowance(settings: EngineSettings, plan_allowance: int | None) -> int | None:
    """Sessions a month the site's nudges may reach (None: unlimited), from its setting and,
    for `plan_default`, its plan's allowance (`sites/plans.py` keeps those numbers)."""
    chosen = settings.monthly_sessions
    if chosen == Allowance.UNLIMITED:
        return None
    if chosen == Allowance.PLAN_DEFAULT:
        return plan_allowance
    return int(chosen)


def within_allowance(session_ordinal_in_month: int, allowance: int | None) -> bool:
    """Whether the month's `session_ordinal_in_month`-th session (1-based) may get nudges."""
    if session_ordinal_in_month < 1:
        raise ValueError("session ordinals start at 1")
    return allowance is None or session_ordinal_in_month <= allowance
