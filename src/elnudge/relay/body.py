"""The body of a relay request: `{"site_key", "sent_at", "events", "quiet_zones"?}`, sent as JSON
or as `text/plain` (what `navigator.sendBeacon` sends). Unknown top-level members are ignored,
so a newer SDK can add some."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from elnudge.config import Settings
from elnudge.engine import SettingError, parse_settings
from elnudge.errors import InvalidRequest, Unauthorized
from elnudge.timestamps import parse_timestamp


class InvalidSiteKey(Unauthorized):
    """The relay's 401: the same message for every way a site key can fail."""

    MESSAGE = "Invalid site key. Send the site's public key (pk_live_… or pk_test_…) as site_key."


@dataclass(frozen=True, slots=True)
class RelayBody:
    """The parts of a relay body: the key, the client's send time, the raw events."""

    site_key: str
    sent_at_ms: int | None
    events: list[Any]
    # The script tag's `data-quiet-zones`: the engine uses them when the site has none.
    quiet_zones: tuple[str, ...] = ()


def _sent_at_ms(value: Any) -> int | None:
    """`sent_at` as an ISO 8601 string or epoch milliseconds; absent means no correction."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return parse_timestamp(value)
        except ValueError:
            pass
    elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return int(value)
    raise InvalidRequest(
        "sent_at must be an ISO 8601 timestamp or epoch milliseconds.", param="sent_at"
    )


def parse_body(body: Any, settings: Settings) -> RelayBody:
    """The body's shape; unknown top-level members are ignored (newer SDKs may add some)."""
    if not isinstance(body, dict):
        raise InvalidRequest(
            'The body must be a JSON object {"site_key", "sent_at", "events"}.', param="body"
        )
    site_key = body.get("site_key")
    if not isinstance(site_key, str):
        raise InvalidSiteKey()
    events = body.get("events")
    if not isinstance(events, list):
        raise InvalidRequest("events must be a list of events.", param="events")
    if len(events) > settings.max_batch_events:
        limit = settings.max_batch_events
        raise InvalidRequest(f"A relay request holds at most {limit} events.", param="events")
    return RelayBody(
        site_key=site_key,
        sent_at_ms=_sent_at_ms(body.get("sent_at")),
        events=events,
        quiet_zones=_quiet_zones(body.get("quiet_zones")),
    )


def _quiet_zones(value: Any) -> tuple[str, ...]:
    """The tag's quiet zones, under the same rules as a site's own (count, length, glob);
    anything else is ignored: the relay is best effort, and the site's settings win anyway."""
    if value is None:
        return ()
    try:
        return parse_settings({"quiet_zones": value}).quiet_zones
    except SettingError:
        return ()
