"""Provisioning: a new site with one secret and one public key in each mode.

Above both `sites` and `keys` (keys belong to a site; a new site needs keys), so neither has
to import the other's service.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from elnudge.keys.service import create_key
from elnudge.sites.service import add_site
from elnudge.vocabulary import KeyKind, Mode


@dataclass(frozen=True, slots=True)
class CreatedSite:
    """A new site and its four keys: shown once, only their hashes are stored."""

    site_id: str
    name: str
    plan: str
    secret_key_live: str
    secret_key_test: str
    site_key_live: str
    site_key_test: str


def create_site(connection: Connection, *, name: str, plan: str, now_ms: int) -> CreatedSite:
    """A new site with one secret and one public key in each mode."""
    site_id = add_site(connection, name=name, plan=plan, now_ms=now_ms)
    issued = {
        (kind, mode): create_key(
            connection, site_id=site_id, mode=mode, kind=kind, now_ms=now_ms
        ).token
        for kind in KeyKind
        for mode in Mode
    }
    return CreatedSite(
        site_id=site_id,
        name=name,
        plan=plan,
        secret_key_live=issued[KeyKind.SECRET, Mode.LIVE],
        secret_key_test=issued[KeyKind.SECRET, Mode.TEST],
        site_key_live=issued[KeyKind.PUBLIC, Mode.LIVE],
        site_key_test=issued[KeyKind.PUBLIC, Mode.TEST],
    )
