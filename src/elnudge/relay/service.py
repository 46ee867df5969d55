"""Relay rules: read the body, authenticate the public key, check the origin and the limits,
validate each event on its own (clock-corrected with `sent_at`), and store the valid ones
through the ingestion service.

Best effort: an invalid event is counted and dropped, never a reason to refuse the others.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from elnudge.config import Settings
from elnudge.errors import InvalidRequest, Unauthorized
from elnudge.events.claims import NudgeConflict
from elnudge.events.payloads import InvalidEvent
from elnudge.events.service import IngestResult, ingest
from elnudge.events.validation import ValidEvent, event_param, time_bounds, validate_envelope
from elnudge.keys.service import Principal, authenticate
from elnudge.relay.origins import check_origin
from elnudge.runtime import Runtime
from elnudge.sites.origins import allowed_origins
from elnudge.timestamps import parse_timestamp
from elnudge.visitors import VisitorContext, visitor_context
from elnudge.vocabulary import KeyKind

MAX_REPORTED_ERRORS = 10  # enough to debug an SDK integration, small enough for every response


class InvalidSiteKey(Unauthorized):
    """The relay's 401: the same message for every way a site key can fail."""

    MESSAGE = "Invalid site key. Send the site's public key (pk_live_… or pk_test_…) as site_key."


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent a relay request, from its headers and connection. Never stored or logged."""

    origin: str | None
    user_agent: str | None
    address: str  # the client's IP address ("" when unknown)


def client_bucket(principal: Principal, sender: Sender) -> str:
    """The per-client rate-limit key: a digest of the site key and the client's address, so
    the address itself is not even held in the limiter (memory or Redis)."""
    text = f"{principal.key_id}\n{sender.address}".encode()
    return "client:" + hashlib.blake2b(text, digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class RelayBody:
    """The parts of a relay body: the key, the client's send time, the raw events."""

    site_key: str
    sent_at_ms: int | None
    events: list[Any]


@dataclass(frozen=True, slots=True)
class EventError:
    index: int
    param: str
    message: str


@dataclass
class RelayResult:
    """What the relay tells the SDK: how many events were stored, repeated and dropped."""

    accepted: int = 0
    duplicates: int = 0
    errors: list[EventError] = field(default_factory=list)

    @property
    def invalid(self) -> int:
        return len(self.errors)

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "invalid": self.invalid,
            "errors": [
                {"index": error.index, "param": error.param, "message": error.message}
                for error in sorted(self.errors, key=lambda error: error.index)[
                    :MAX_REPORTED_ERRORS
                ]
            ],
        }


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
    return RelayBody(site_key=site_key, sent_at_ms=_sent_at_ms(body.get("sent_at")), events=events)


def authenticate_site_key(connection: Connection, site_key: str, now_ms: int) -> Principal:
    """The site and mode of a public key; a secret key here is as wrong as a made-up one."""
    try:
        return authenticate(connection, site_key, kind=KeyKind.PUBLIC, now_ms=now_ms)
    except Unauthorized as error:
        raise InvalidSiteKey() from error


def validate_events(
    body: RelayBody, principal: Principal, settings: Settings, now_ms: int
) -> tuple[list[tuple[int, ValidEvent]], list[EventError]]:
    """Each event validated on its own: (index, event) for the valid, errors for the rest.

    The client's clock is corrected: event time = arrival - (sent_at - ts)."""
    offset = 0 if body.sent_at_ms is None else now_ms - body.sent_at_ms
    bounds = time_bounds(
        storage_days=principal.storage_days,
        future_skew_seconds=settings.max_future_skew_seconds,
        now_ms=now_ms,
    )
    valid: list[tuple[int, ValidEvent]] = []
    errors: list[EventError] = []
    for index, raw in enumerate(body.events):
        try:
            valid.append((index, validate_envelope(raw, bounds, clock_offset_ms=offset)))
        except InvalidEvent as error:
            param = event_param(index, error.field)
            errors.append(EventError(index=index, param=param, message=error.message))
    return valid, errors


def store(
    connection: Connection,
    principal: Principal,
    valid: Sequence[tuple[int, ValidEvent]],
    *,
    now_ms: int,
    context: VisitorContext | None,
) -> tuple[IngestResult, list[EventError]]:
    """Ingest the valid events; those showing a nudge another session showed are dropped
    (and returned as errors) and the rest ingested again, in the same transaction."""
    pending = list(valid)
    rejected: list[EventError] = []
    while pending:
        try:
            result = ingest(
                connection,
                site_id=principal.site_id,
                mode=principal.mode,
                batch=[event for _, event in pending],
                now_ms=now_ms,
                sender=KeyKind.PUBLIC,
                context=context,
            )
            return result, rejected
        except NudgeConflict as conflict:
            # ingest raises before it writes anything, so trying again without them is safe.
            dropped = set(conflict.indices)
            for position in sorted(dropped):
                index = pending[position][0]
                message = "The nudge was shown in another session."
                rejected.append(EventError(index, event_param(index, "data.nudge_id"), message))
            pending = [item for position, item in enumerate(pending) if position not in dropped]
    return IngestResult(accepted=0, duplicates=0), rejected


def relay(runtime: Runtime, body: Any, sender: Sender) -> RelayResult:
    """One relay request: the key, the origin, the limits (the client's first: a refused
    client never spends the store's budget), each event validated on its own, the valid ones
    stored. The commit happens before the response: an acknowledged event is stored."""
    settings = runtime.settings
    now_ms = runtime.clock.now_ms()
    parsed = parse_body(body, settings)
    with runtime.database.read() as connection:
        principal = authenticate_site_key(connection, parsed.site_key, now_ms)
        allowed = allowed_origins(connection, principal.site_id)
    check_origin(allowed, sender.origin)
    cost = max(1, len(parsed.events))
    runtime.relay_client_limiter.hit(client_bucket(principal, sender), cost=cost)
    runtime.relay_limiter.hit(principal.key_id, cost=cost)
    valid, errors = validate_events(parsed, principal, settings, now_ms)
    result = RelayResult(errors=errors)
    if valid:
        with runtime.database.write() as connection:
            ingested, rejected = store(
                connection,
                principal,
                valid,
                now_ms=now_ms,
                context=visitor_context(sender.user_agent),
            )
        result.accepted, result.duplicates = ingested.accepted, ingested.duplicates
        result.errors.extend(rejected)
    return result
