"""Managing a site's webhook endpoints: create, list, rotate, delete, test, the delivery log."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, RowMapping

from elnudge import ids
from elnudge.errors import InvalidRequest, NotFound
from elnudge.sites import repository as sites
from elnudge.vocabulary import Mode
from elnudge.webhooks import repository
from elnudge.webhooks.addresses import check_url
from elnudge.webhooks.events import SUBSCRIBABLE, WebhookEvent
from elnudge.webhooks.outbox import enqueue

SECRET_PREFIX = "whsec_"
# After `rotate`, the previous secret keeps signing (as the header's second value) this long.
ROTATION_OVERLAP_MS = 5 * 60 * 1000


@dataclass(frozen=True, slots=True)
class CreatedEndpoint:
    endpoint_id: str
    secret: str


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def create_endpoint(
    connection: Connection,
    site_id: str,
    *,
    url: str,
    events: Sequence[str],
    allow_local: bool,
    now_ms: int,
) -> CreatedEndpoint:
    """A new endpoint; its secret is shown to the caller once (and kept to sign with)."""
    if sites.get_site(connection, site_id) is None:
        raise NotFound(f"No site {site_id!r}.")
    check_url(url, allow_local=allow_local)
    names = list(dict.fromkeys(events)) or [str(event) for event in SUBSCRIBABLE]
    for name in names:
        if name not in SUBSCRIBABLE:
            choices = ", ".join(SUBSCRIBABLE)
            raise InvalidRequest(f"Unknown event {name!r}; choose from {choices}.", param="event")
    created = CreatedEndpoint(ids.new_id(ids.WEBHOOK_ENDPOINT, at_ms=now_ms), new_secret())
    repository.insert_endpoint(
        connection,
        {
            "site_id": site_id,
            "endpoint_id": created.endpoint_id,
            "url": url,
            "events": "\n".join(names),
            "secret": created.secret,
            "created_at": now_ms,
        },
    )
    return created


def endpoint(connection: Connection, endpoint_id: str) -> RowMapping:
    row = repository.find_endpoint(connection, endpoint_id)
    if row is None:
        raise NotFound(f"No webhook endpoint {endpoint_id!r}.")
    return row


def describe(row: RowMapping) -> dict[str, Any]:
    """An endpoint for people and scripts: never its secrets."""
    return {
        "id": row["endpoint_id"],
        "site_id": row["site_id"],
        "url": row["url"],
        "events": row["events"].split("\n"),
        "enabled": row["disabled_at"] is None,
        "failing_since": row["failing_since"],
    }


def list_endpoints(connection: Connection, site_id: str) -> list[dict[str, Any]]:
    return [describe(row) for row in repository.endpoints_of_site(connection, site_id)]


def endpoints_with_last_delivery(connection: Connection, site_id: str) -> list[dict[str, Any]]:
    """The site's endpoints (as `describe`, never a secret), each with `last_delivery`: its
    newest delivery (`delivery_log`'s fields) or None; for the dashboard's Settings page."""
    listed = []
    for row in repository.endpoints_of_site(connection, site_id):
        newest = repository.deliveries_of(connection, site_id, row["endpoint_id"], 1)
        listed.append({**describe(row), "last_delivery": _delivery(newest[0]) if newest else None})
    return listed


def rotate(connection: Connection, endpoint_id: str, now_ms: int) -> str:
    """A new secret; the old one keeps signing alongside it for 5 minutes."""
    row = endpoint(connection, endpoint_id)
    secret = new_secret()
    repository.update_endpoint(
        connection,
        row["site_id"],
        endpoint_id,
        secret=secret,
        previous_secret=row["secret"],
        previous_until=now_ms + ROTATION_OVERLAP_MS,
    )
    return secret


def remove(connection: Connection, endpoint_id: str) -> None:
    """Delete the endpoint and its deliveries (pending ones are not sent)."""
    row = endpoint(connection, endpoint_id)
    repository.delete_endpoint(connection, row["site_id"], endpoint_id)


def send_test(connection: Connection, endpoint_id: str, now_ms: int) -> str:
    """Queue a `ping` for this endpoint (enabled or not: a ping is how one checks a fix);
    the event's id."""
    row = endpoint(connection, endpoint_id)
    if row["disabled_at"] is not None:  # a ping re-enables: the next failures count anew
        repository.update_endpoint(
            connection, row["site_id"], endpoint_id, disabled_at=None, failing_since=None
        )
    event_id = enqueue(
        connection,
        site_id=row["site_id"],
        mode=Mode.LIVE,
        event=WebhookEvent.PING,
        data={"endpoint_id": endpoint_id},
        now_ms=now_ms,
        only_endpoint=endpoint_id,
    )
    assert event_id is not None
    return event_id


def delivery_log(connection: Connection, endpoint_id: str, limit: int = 50) -> list[dict[str, Any]]:
    row = endpoint(connection, endpoint_id)
    return [
        _delivery(delivery)
        for delivery in repository.deliveries_of(connection, row["site_id"], endpoint_id, limit)
    ]


def _delivery(delivery: RowMapping) -> dict[str, Any]:
    return {
        "id": delivery["delivery_id"],
        "event_id": delivery["event_id"],
        "event": delivery["event"],
        "status": delivery["status"],
        "attempts": delivery["attempts"],
        "created_at": delivery["created_at"],
        "next_attempt_at": delivery["next_attempt_at"],
        "last_status": delivery["last_status"],
        "last_error": delivery["last_error"],
    }
