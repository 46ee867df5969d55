"""How much of the monthly session allowance the site has used (the Overview's gauge)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from elnudge.sites import usage


@dataclass(frozen=True, slots=True)
class AllowanceUse:
    """This UTC month's live, non-bot sessions against the allowance (None: unlimited)."""

    month: str  # "2026-12"
    sessions: int
    allowance: int | None

    @property
    def used(self) -> float | None:
        """The share used, 0..1 and beyond when exceeded; None when unlimited."""
        if self.allowance is None:
            return None
        return self.sessions / self.allowance if self.allowance else 1.0


def allowance_use(
    connection: Connection, site_id: str, allowance: int | None, now_ms: int
) -> AllowanceUse:
    """The month of `now_ms` (UTC, as the engine counts it); `allowance` is the site's
    (`sites.engine.site_engine(...).allowance`)."""
    month = usage.month_of(now_ms)
    stored = usage.month_usage(connection, site_id, month)
    return AllowanceUse(month=month, sessions=int(stored.get("sessions") or 0), allowance=allowance)
