"""The webhook events (docs/webhooks.md) and the body every delivery carries."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import orjson

from elnudge.timestamps import format_timestamp


class WebhookEvent(StrEnum):
    APP_INSTALLED = "app.installed"
    APP_UNINSTALLED = "app.uninstalled"
    SESSION_CONVERTED = "session.converted"
    NUDGE_INFLUENCED_CONVERSION = "nudge.influenced_conversion"
    USAGE_ALLOWANCE_80 = "usage.allowance_80"
    USAGE_ALLOWANCE_100 = "usage.allowance_100"
    PING = "ping"


# What an endpoint subscribes to when created without `--event`: everything but `ping`, which
# `webhooks test` sends whatever the subscription.
SUBSCRIBABLE = tuple(event for event in WebhookEvent if event != WebhookEvent.PING)


def body(event_id: str, event: str, site_id: str, created_at_ms: int, data: dict[str, Any]) -> str:
    """`{"id", "event", "site_id", "created_at", "data"}`, serialised once: the stored bytes are
    the signed and sent bytes."""
    return orjson.dumps(
        {
            "id": event_id,
            "event": event,
            "site_id": site_id,
            "created_at": format_timestamp(created_at_ms),
            "data": data,
        }
    ).decode()
