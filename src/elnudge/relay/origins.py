"""The optional per-site allow-list of origins that may use a site's public key."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy.engine import Connection

from elnudge.errors import ApiError, InvalidRequest, NotFound
from elnudge.relay import repository


class OriginNotAllowed(ApiError):
    """The site restricts its public key to some origins, and this request came from another."""

    status = 403
    code = "Forbidden"

    def __init__(self) -> None:
        super().__init__("This site does not accept events from this origin.", param="Origin")


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


def check_origin(allowed: list[str] | None, origin: str | None) -> None:
    """Raise OriginNotAllowed unless the request's Origin is on the list (when there is one).

    Browsers send Origin on every cross-origin POST, beacons included; a request without one
    is not a storefront's, so a site with a list refuses it."""
    if allowed is None:
        return
    try:
        if origin is not None and normalize_origin(origin) in allowed:
            return
    except InvalidRequest:
        pass  # "null" and other non-origins are simply not on the list
    raise OriginNotAllowed()
