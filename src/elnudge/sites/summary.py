"""A site as `elnudge sites show` (and the dashboard) present it: plan, windows, origins, the
nudge engine's settings, and this month's usage against the allowance."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from elnudge.engine import settings_data
from elnudge.errors import NotFound
from elnudge.sites import plans, repository, usage
from elnudge.sites.engine import site_engine
from elnudge.sites.origins import allowed_origins
from elnudge.timestamps import format_timestamp


def site_summary(connection: Connection, site_id: str, now_ms: int) -> dict[str, Any]:
    """Every setting of a site and this month's usage, as JSON-ready data."""
    site = repository.get_site(connection, site_id)
    if site is None:
        raise NotFound(f"No site {site_id!r}.")
    engine = site_engine(site["engine_settings"], site["plan"])
    month = usage.month_of(now_ms)
    used = usage.month_usage(connection, site_id, month)
    return {
        "site_id": site_id,
        "name": site["name"],
        "plan": site["plan"],
        "api_window_days": plans.api_window_days(site["plan"], site["api_window_days"]),
        "storage_days": plans.storage_days(site["plan"], site["storage_days"]),
        "timezone": site["timezone"],
        "allowed_origins": allowed_origins(connection, site_id),
        "engine": settings_data(engine.settings),
        "usage": {
            "month": month,
            "sessions": used.get("sessions") or 0,
            "allowance": engine.allowance,
            "reached_80_at": _moment(used.get("reached_80_at")),
            "reached_100_at": _moment(used.get("reached_100_at")),
        },
    }


def _moment(ms: int | None) -> str | None:
    return None if ms is None else format_timestamp(ms)
