"""The relay's origin check against a site's allow-list (kept by `elnudge.sites.origins`)."""

from __future__ import annotations

from elnudge.errors import ApiError, InvalidRequest
from elnudge.sites.origins import normalize_origin


class OriginNotAllowed(ApiError):
    """The site restricts its public key to some origins, and this request came from another."""

    status = 403
    code = "Forbidden"

    def __init__(self) -> None:
        super().__init__("This site does not accept events from this origin.", param="Origin")


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
