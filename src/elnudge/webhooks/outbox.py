"""Queuing a webhook event: one delivery row per subscribed, enabled endpoint, written in the
caller's transaction — the transaction of what caused the event — so the event is sent if and
only if its cause was stored (the outbox pattern). Nothing is sent here: the worker sends."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.webhooks import repository
from elnudge.webhooks.events import WebhookEvent, body
from elnudge.webhooks.repository import PENDING


def subscribed(row: Any, event: str) -> bool:
    return event == WebhookEvent.PING or event in row["events"].split("\n")


def enqueue(
    connection: Connection,
    *,
    site_id: str,
    mode: str,
    event: WebhookEvent,
    data: dict[str, Any],
    now_ms: int,
    session_id: str | None = None,
    only_endpoint: str | None = None,
) -> str | None:
    """Queue `event` for the site's endpoints that want it; the event's id, or None when no
    endpoint does. `only_endpoint` limits it to one (`webhooks test`)."""
    targets = [
        row
        for row in repository.endpoints_of_site(connection, site_id)
        if row["disabled_at"] is None
        and subscribed(row, event)
        and only_endpoint in (None, row["endpoint_id"])
    ]
    if not targets:
        return None
    event_id = ids.new_id(ids.EVENT, at_ms=now_ms)
    payload = body(event_id, event, site_id, now_ms, data)
    repository.insert_deliveries(
        connection,
        [
            {
                "site_id": site_id,
                "delivery_id": ids.new_id(ids.WEBHOOK_DELIVERY, at_ms=now_ms),
                "endpoint_id": row["endpoint_id"],
                "mode": mode,
                "event_id": event_id,
                "event": str(event),
                "session_id": session_id,
                "payload": payload,
                "status": PENDING,
                "attempts": 0,
                "created_at": now_ms,
                "next_attempt_at": now_ms,
            }
            for row in targets
        ],
    )
    return event_id
