"""Idempotent delivery: an `event_id` is stored once within its scope.

Scopes keep senders apart. Everything sent with a secret key (the store's back end, imports)
shares one scope per site and mode, as the API promises. Ids relayed with a public key — which
anyone can copy from the storefront's HTML — are scoped to their client session key: a public
caller can neither pre-empt the back end's `ord-1002-purchase` (it would land in another scope)
nor learn from a `duplicates` count which ids exist beyond the session it is itself sending.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.engine import Connection

from elnudge.events import repository
from elnudge.events.validation import ValidEvent
from elnudge.vocabulary import KeyKind

SECRET_SCOPE = "secret"
PUBLIC_SCOPE_PREFIX = "public:"


def id_scope(sender: KeyKind, client_key: str) -> str:
    """The namespace an event's `event_id` is unique in (stored as `events.id_scope`)."""
    if sender == KeyKind.SECRET:
        return SECRET_SCOPE
    return PUBLIC_SCOPE_PREFIX + client_key


def drop_duplicates(
    connection: Connection,
    site_id: str,
    mode: str,
    sender: KeyKind,
    batch: Sequence[ValidEvent],
) -> list[tuple[int, ValidEvent]]:
    """The batch, with its indices, without events whose `event_id` was stored already in its
    scope, or that repeat one earlier in the batch."""
    candidates: dict[str, list[str]] = defaultdict(list)
    for valid in batch:
        if valid.client_event_id is not None:
            candidates[id_scope(sender, valid.client_key)].append(valid.client_event_id)
    seen = {
        (scope, event_id)
        for scope, event_ids in candidates.items()
        for event_id in repository.known_client_event_ids(
            connection, site_id, mode, scope, event_ids
        )
    }
    fresh = []
    for index, valid in enumerate(batch):
        if valid.client_event_id is not None:
            key = (id_scope(sender, valid.client_key), valid.client_event_id)
            if key in seen:
                continue
            seen.add(key)
        fresh.append((index, valid))
    return fresh
