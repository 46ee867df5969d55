"""Deleting what is older than each site's storage retention, in small transactions.

A session goes, with all its events and nudges, once it started before the cutoff, so nothing
older than the retention stays behind. Chat transcripts have their own retention, 12 months on
every plan (docs/api.md, Conversations): a conversation goes once it started 365 days ago.
Each batch commits on its own: the job can be killed at any moment and simply run again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from elnudge.clock import Clock
from elnudge.conversations.repository import conversations_started_before, delete_conversations
from elnudge.db import Database
from elnudge.db.tables import events, nudges, sessions, sites
from elnudge.sites.plans import storage_days
from elnudge.timestamps import DAY_MS

BATCH_SESSIONS = 500
CONVERSATION_RETENTION_DAYS = 365


@dataclass(frozen=True, slots=True)
class PurgeReport:
    sessions: int
    events: int
    conversations: int = 0


def purge(database: Database, clock: Clock, *, batch_size: int = BATCH_SESSIONS) -> PurgeReport:
    """Apply every site's storage retention; returns how much was deleted."""
    with database.read() as connection:
        site_rows = list(
            connection.execute(select(sites.c.site_id, sites.c.plan, sites.c.storage_days))
        )
    total_sessions = total_events = 0
    for site_id, plan, override in site_rows:
        cutoff = clock.now_ms() - storage_days(plan, override) * DAY_MS
        while True:
            purged_sessions, purged_events = _purge_batch(database, site_id, cutoff, batch_size)
            total_sessions += purged_sessions
            total_events += purged_events
            if purged_sessions < batch_size:
                break
    conversation_cutoff = clock.now_ms() - CONVERSATION_RETENTION_DAYS * DAY_MS
    total_conversations = sum(
        _purge_conversations(database, site_id, conversation_cutoff, batch_size)
        for site_id, _plan, _override in site_rows
    )
    return PurgeReport(
        sessions=total_sessions, events=total_events, conversations=total_conversations
    )


def _purge_conversations(database: Database, site_id: str, cutoff: int, batch_size: int) -> int:
    """The site's transcripts that started before `cutoff`, in batches of their own."""
    total = 0
    while True:
        with database.write() as connection:
            old = conversations_started_before(connection, site_id, cutoff, batch_size)
            total += delete_conversations(connection, site_id, old)
        if len(old) < batch_size:
            return total


def _purge_batch(database: Database, site_id: str, cutoff: int, batch_size: int) -> tuple[int, int]:
    with database.write() as connection:
        old = list(
            connection.execute(
                select(sessions.c.session_id)
                .where(sessions.c.site_id == site_id, sessions.c.started_at < cutoff)
                .limit(batch_size)
            ).scalars()
        )
        if not old:
            return 0, 0
        deleted_events = connection.execute(
            delete(events).where(events.c.site_id == site_id, events.c.session_id.in_(old))
        ).rowcount
        connection.execute(
            delete(nudges).where(nudges.c.site_id == site_id, nudges.c.session_id.in_(old))
        )
        connection.execute(
            delete(sessions).where(sessions.c.site_id == site_id, sessions.c.session_id.in_(old))
        )
        return len(old), deleted_events
