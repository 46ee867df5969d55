"""The dashboard reads a site's data through the same services as the API, as the site's
live mode: this builds the Principal those services expect, without an API key."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from elnudge.errors import NotFound
from elnudge.keys.service import Principal
from elnudge.sites import plans
from elnudge.sites.repository import get_site
from elnudge.vocabulary import Mode


def site_principal(connection: Connection, site_id: str) -> Principal:
    site = get_site(connection, site_id)
    if site is None:
        raise NotFound("No such site.")
    return Principal(
        site_id=site_id,
        mode=Mode.LIVE,
        key_id="dashboard",
        plan=site["plan"],
        api_window_days=plans.api_window_days(site["plan"], site["api_window_days"]),
        storage_days=plans.storage_days(site["plan"], site["storage_days"]),
        cursor_secret=site["cursor_secret"],
        engine_settings=site["engine_settings"],
    )
