"""A site's optional allow-list of origins that may use its public keys with the relay."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy.engine import Connection

from elnudge.errors import InvalidRequest, NotFound
from elnudge.sites import repository


def normalize_origin(value: str) -> str:
    """`https://Shop.Example/` → `https://shop.example`; InvalidRequest for anything else."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError as error:
        raise InvalidRequest(f"Not an origin: {value!r}.", param="allowed_origin") from error
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise InvalidRequest(
            f"Not an origin: {value!r} (expected e.g. https://shop.example).",
            param="allowed_origin",
        )
    host = parts.hostname.lower()
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def allowed_origins(connection: Connection, site_id: str) -> list[str] | None:
    """The site's allow-list, or None when any origin may send events."""
    stored = repository.get_allowed_origins(connection, site_id)
    return stored.split("\n") if stored else None


def set_allowed_origins(connection: Connection, site_id: str, origins: Sequence[str]) -> list[str]:
    """Replace the site's allow-list; an empty list lets any origin send events again."""
    normalized = sorted({normalize_origin(origin) for origin in origins})
    if repository.set_allowed_origins(connection, site_id, "\n".join(normalized) or None) == 0:
        raise NotFound(f"No site {site_id!r}.")
    return normalized
