"""Relay rules: authenticate the public key, check the origin and the limits, validate each
event on its own (clock-corrected with `sent_at`), store the valid ones through the ingestion
service, and answer with the nudge engine's decision for the session of the last one.

Best effort: an invalid event is counted and dropped, never a reason to refuse the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from elnudge.config import Settings
from elnudge.errors import Unauthorized
from elnudge.events.claims import NudgeConflict
from elnudge.events.payloads import InvalidEvent
from elnudge.events.service import IngestResult, ingest
from elnudge.events.validation import ValidEvent, event_param, time_bounds, validate_envelope
from elnudge.keys.service import Principal, authenticate
from elnudge.nudges.decisions import Answer, decide_and_offer
from elnudge.nudges.repository import session_at
from elnudge.relay.body import InvalidSiteKey, RelayBody, parse_body
from elnudge.relay.origins import check_origin
from elnudge.runtime import Runtime
from elnudge.sites.engine import site_engine
from elnudge.sites.origins import allowed_origins
from elnudge.visitors import VisitorContext, visitor_context
from elnudge.vocabulary import KeyKind, Mode
from elnudge.webhooks.announce import announce_install

MAX_REPORTED_ERRORS = 10  # enough to debug an SDK integration, small enough for every response


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
    answer: Answer | None = None  # the engine's decision for the last event's session
    mode: str = Mode.LIVE

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
            "nudge": None if self.answer is None else self.answer.nudge_json(),
            **self._test_decision(),
        }

    def _test_decision(self) -> dict[str, Any]:
        decision = None if self.answer is None else self.answer.test_decision_json(self.mode)
        return {} if decision is None else {"test_decision": decision}


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
                allowance=site_engine(principal.engine_settings, principal.plan).allowance,
            )
            if result.accepted and not principal.installed:
                announce_install(connection, principal.site_id, principal.plan, now_ms)
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
    stored, and the engine's decision for the session of the last of them. The commit happens
    before the response: an acknowledged event is stored, an offered nudge recorded."""
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
    result = RelayResult(errors=errors, mode=principal.mode)
    if valid:
        with runtime.database.write() as connection:
            ingested, rejected = store(
                connection,
                principal,
                valid,
                now_ms=now_ms,
                context=visitor_context(sender.user_agent),
            )
            stored = [event for index, event in valid if index not in {e.index for e in rejected}]
            if stored:
                result.answer = _decide(connection, principal, stored[-1], parsed, now_ms)
        result.accepted, result.duplicates = ingested.accepted, ingested.duplicates
        result.errors.extend(rejected)
    return result


def _decide(
    connection: Connection,
    principal: Principal,
    last: ValidEvent,
    body: RelayBody,
    now_ms: int,
) -> Answer | None:
    """The engine's answer for the session that holds the request's last stored event."""
    session = session_at(
        connection, principal.site_id, principal.mode, last.client_key, last.event.occurred_at
    )
    if session is None:
        return None
    return decide_and_offer(
        connection, principal, session, now_ms=now_ms, tag_quiet_zones=body.quiet_zones
    )
