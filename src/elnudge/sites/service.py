"""Site rules: add a site; change its plan, retention overrides and time zone."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Connection, RowMapping

from elnudge import ids
from elnudge.errors import InvalidRequest, NotFound
from elnudge.sites import plans, repository


def check_plan(plan: str) -> None:
    if plan not in plans.PLANS:
        raise InvalidRequest(
            f"Unknown plan {plan!r}; choose one of {', '.join(plans.PLAN_NAMES)}.", param="plan"
        )


def check_timezone(name: str) -> str:
    """An IANA time zone name (Europe/Paris, UTC), or a 400 naming `timezone`."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        message = f"Unknown time zone {name!r}; use an IANA name such as Europe/Paris or UTC."
        raise InvalidRequest(message, param="timezone") from error
    return name


def add_site(connection: Connection, *, name: str, plan: str, now_ms: int) -> str:
    """Store a new site (without keys: `elnudge.provisioning` issues them); its id."""
    check_plan(plan)
    if not name.strip():
        raise InvalidRequest("A site needs a name.", param="name")
    site_id = ids.new_id(ids.SITE)
    repository.insert_site(
        connection,
        site_id=site_id,
        name=name,
        plan=plan,
        cursor_secret=secrets.token_hex(32),
        created_at=now_ms,
    )
    return site_id


def update_site(
    connection: Connection,
    site_id: str,
    *,
    plan: str | None = None,
    api_window_days: int | None = None,
    storage_days: int | None = None,
    timezone: str | None = None,
) -> RowMapping:
    """Change a site's plan; enterprise sites may also override their windows (in days).

    All or nothing: a bad value changes nothing. Storage never ends before the API window."""
    site = repository.get_site(connection, site_id)
    if site is None:
        raise NotFound(f"No site {site_id!r}.")
    values: dict[str, object] = {}
    if plan is not None:
        check_plan(plan)
        values["plan"] = plan
    if timezone is not None:
        values["timezone"] = check_timezone(timezone)
    effective_plan = plan or site["plan"]
    for field, days in (("api_window_days", api_window_days), ("storage_days", storage_days)):
        if days is None:
            continue
        if effective_plan != "enterprise":
            raise InvalidRequest("Only enterprise sites can override retention.", param=field)
        if not 1 <= days <= plans.MAX_OVERRIDE_DAYS:
            message = f"{field} must be between 1 and {plans.MAX_OVERRIDE_DAYS} days."
            raise InvalidRequest(message, param=field)
        values[field] = days
    _check_storage_covers_window(
        effective_plan,
        api_window_days if api_window_days is not None else site["api_window_days"],
        storage_days if storage_days is not None else site["storage_days"],
    )
    if values:
        repository.update_site(connection, site_id, **values)
    updated = repository.get_site(connection, site_id)
    assert updated is not None
    return updated


def _check_storage_covers_window(
    plan: str, window_override: int | None, storage_override: int | None
) -> None:
    window = plans.api_window_days(plan, window_override)
    storage = plans.storage_days(plan, storage_override)
    if storage < window:
        message = f"storage_days ({storage}) must be at least the API window ({window} days)."
        raise InvalidRequest(message, param="storage_days")
