"""A site's nudge engine settings, stored as one JSON document (`sites.engine_settings`), and
the monthly allowance they give with the site's plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

from elnudge.engine import (
    EngineSettings,
    SettingError,
    load_settings,
    monthly_allowance,
    settings_json,
    update_settings,
)
from elnudge.errors import InvalidRequest, NotFound
from elnudge.sites import repository
from elnudge.sites.plans import PLANS


@dataclass(frozen=True, slots=True)
class SiteEngine:
    """A site's engine settings and its monthly allowance of sessions (None: unlimited)."""

    settings: EngineSettings
    allowance: int | None


@lru_cache(maxsize=1024)
def site_engine(stored_settings: str | None, plan: str) -> SiteEngine:
    """The engine settings stored for a site (None: the defaults), with its plan's allowance.

    Cached by the stored text and the plan: the relay asks twice per request (the allowance,
    then the decision), and parsing and validating the JSON each time was a measurable share
    of a relay call (bench/RESULTS.md, "Relay"). The result is immutable, and a change of
    settings is a change of text, so a cached value can never be stale."""
    settings = load_settings(stored_settings)
    allowance = monthly_allowance(settings, PLANS[plan].monthly_sessions)
    return SiteEngine(settings=settings, allowance=allowance)


def update_engine_settings(
    connection: Connection, site_id: str, changes: Mapping[str, Any]
) -> EngineSettings:
    """Apply `changes` (setting name -> value) to a site's engine settings, all validated
    together: a bad value is a 400 naming the setting, and nothing changes."""
    site = repository.get_site(connection, site_id)
    if site is None:
        raise NotFound(f"No site {site_id!r}.")
    try:
        settings = update_settings(load_settings(site["engine_settings"]), changes)
    except SettingError as error:
        raise InvalidRequest(str(error), param=error.field) from error
    repository.update_site(connection, site_id, engine_settings=settings_json(settings))
    return settings
