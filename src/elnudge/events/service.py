"""Ingestion: validated events in, sessions, scores and nudges brought up to date.

Every batch re-derives the sessions it touches from their stored events plus the new ones,
so the stored result is always what a recomputation from scratch would give, whatever order
the events arrived in. The common case takes a shortcut with the same result: when a client
key's new events all come after the one session they touch and name no other visitor, they are
appended: the session's derived fields are continued from its stored summary state, and its
nudges from its stored nudge rows, without reading its events back (docs/ingestion.md, "The
append-only path"). The caller's transaction makes a batch all-or-nothing.

The steps, each in its own module: drop what was stored already (`duplicates`), gather what
the new events meet (`gather`), regroup each client key's events into sessions
(`sessions.sessionize`), and collect and write the rows that changes (`writer`, with `claims`
deciding which session keeps each nudge).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.db import dialect
from elnudge.errors import InvalidRequest
from elnudge.events.batch import validate_batch
from elnudge.events.claims import NudgeConflict
from elnudge.events.duplicates import drop_duplicates
from elnudge.events.gather import Incoming, gather
from elnudge.events.validation import ValidEvent, event_param
from elnudge.events.writer import Scope, Writer
from elnudge.keys.service import Principal
from elnudge.runtime import Runtime
from elnudge.sessions.sessionize import group_members
from elnudge.sites.engine import site_engine
from elnudge.visitors import VisitorContext
from elnudge.vocabulary import KeyKind


@dataclass(frozen=True, slots=True)
class IngestResult:
    accepted: int
    duplicates: int


def ingest(
    connection: Connection,
    *,
    site_id: str,
    mode: str,
    batch: Sequence[ValidEvent],
    now_ms: int,
    sender: KeyKind = KeyKind.SECRET,
    context: VisitorContext | None = None,
    allowance: int | None = None,
) -> IngestResult:
    """Store a batch of validated events for one site and mode, inside the caller's transaction.

    `sender` is the kind of key the batch came with (it scopes `event_id`s, see `duplicates`);
    `context` is the sender's browser (the relay passes it): new sessions keep it, and a bot's
    events flag every session they touch; `allowance` is the site's monthly allowance of
    sessions (None: unlimited), whose thresholds are recorded as new sessions count.
    Raises NudgeConflict, before writing anything, when events show a nudge that belongs to
    another session."""
    dialect.lock_site_for_ingestion(connection, site_id)
    fresh = drop_duplicates(connection, site_id, mode, sender, batch)
    if not fresh:
        return IngestResult(accepted=0, duplicates=len(batch))
    event_ids = ids.new_ids(ids.EVENT, len(fresh))
    incoming = [
        Incoming(index, event_id, valid)
        for (index, valid), event_id in zip(fresh, event_ids, strict=True)
    ]
    scope = Scope(
        site_id=site_id,
        mode=mode,
        now_ms=now_ms,
        sender=sender,
        context=context,
        allowance=allowance,
    )
    writer = Writer(scope, new_data={event.event_id: event.valid.event.data for event in incoming})
    for work in gather(connection, site_id, mode, incoming):
        groups = group_members(work.members, work.started_at)
        if work.extends is not None:  # the first group continues the session, the rest are new
            writer.extend(work.extends, groups.pop(0), work.extends_nudges)
        for group in groups:
            writer.add(work.client_key, group)
    writer.settle_nudges(connection, {event.event_id: event.index for event in incoming})
    writer.flush(connection)
    return IngestResult(accepted=len(fresh), duplicates=len(batch) - len(fresh))


def ingest_all_or_nothing(
    connection: Connection, *, principal: Principal, batch: Sequence[ValidEvent], now_ms: int
) -> IngestResult:
    """`ingest`, with a nudge shown in two sessions reported as the 400 of its first event."""
    try:
        return ingest(
            connection,
            site_id=principal.site_id,
            mode=principal.mode,
            batch=batch,
            now_ms=now_ms,
            allowance=site_engine(principal.engine_settings, principal.plan).allowance,
        )
    except NudgeConflict as conflict:
        index = conflict.indices[0]
        nudge_id = batch[index].event.data["nudge_id"]
        message = f"events[{index}]: nudge {nudge_id} was shown in another session."
        raise InvalidRequest(message, param=event_param(index, "data.nudge_id")) from conflict


def ingest_request(runtime: Runtime, principal: Principal, body: Any) -> IngestResult:
    """A `POST /v1/events` body, validated and stored all or nothing. The commit happens
    before the response: an acknowledged batch is a stored batch."""
    now_ms = runtime.clock.now_ms()
    batch = validate_batch(body, principal, runtime.settings, now_ms)
    with runtime.database.write() as connection:
        return ingest_all_or_nothing(connection, principal=principal, batch=batch, now_ms=now_ms)
