"""The `{"events": [...]}` body of `POST /v1/events`, validated all or nothing."""

from __future__ import annotations

from typing import Any

from elnudge.config import Settings
from elnudge.errors import InvalidRequest
from elnudge.events.payloads import InvalidEvent
from elnudge.events.validation import ValidEvent, event_param, time_bounds, validate_envelope
from elnudge.keys.service import Principal


def event_error(index: int, error: InvalidEvent) -> InvalidRequest:
    """A 400 that names the failing event and field: `events[3].data.price`."""
    return InvalidRequest(
        f"events[{index}]: {error.message}", param=event_param(index, error.field)
    )


def validate_batch(
    body: Any, principal: Principal, settings: Settings, now_ms: int
) -> list[ValidEvent]:
    """Every event of the body, validated; the first invalid one fails the whole batch."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise InvalidRequest('The body must be a JSON object {"events": [...]}.', param="events")
    extra = sorted(body.keys() - {"events"})
    if extra:
        raise InvalidRequest(f"Unknown field {extra[0]!r} in the body.", param=extra[0])
    raw_events = body["events"]
    if not raw_events:
        raise InvalidRequest("events must hold at least one event.", param="events")
    if len(raw_events) > settings.max_batch_events:
        limit = settings.max_batch_events
        message = f"A batch holds at most {limit} events; this one has {len(raw_events)}."
        raise InvalidRequest(message, param="events")
    bounds = time_bounds(
        storage_days=principal.storage_days,
        future_skew_seconds=settings.max_future_skew_seconds,
        now_ms=now_ms,
    )
    batch = []
    for index, raw in enumerate(raw_events):
        try:
            batch.append(validate_envelope(raw, bounds))
        except InvalidEvent as error:
            raise event_error(index, error) from error
    return batch
