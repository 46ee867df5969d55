"""Erasing a visitor (`DELETE /v1/visitors/{visitor_id}`, docs/api.md "Erasure").

One transaction, holding the site's ingestion lock (`dialect.lock_site_for_ingestion`), so a
batch for the same visitor is written either wholly before the erasure (and erased with the
rest) or wholly after it (as new sessions): never half a session.

What goes: every session of the visitor, and every session in which any event carried their
id, with everything derived from those sessions — one step per table in `ERASURE_STEPS`, run
in order. A table that keeps rows per session is erased by adding its step there. Then the
attribution of other visitors who shared those sessions is recomputed, and the erasure is
logged with its time and counts, never the visitor's id.

What stays, on purpose: the monthly usage count (`site_usage`: numbers only; erased sessions
stay counted against the allowance, as they were shown the engine), and the catalogue learned
from product views (`products`: the store's products, not the shopper).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.conversations.service import erase_conversations
from elnudge.db import dialect
from elnudge.events.influence import refresh_influence
from elnudge.events.payloads import MAX_ID_LENGTH
from elnudge.privacy import repository

# (site_id, mode, session_ids) -> rows deleted.
StepRun = Callable[[Connection, str, str, Sequence[str]], int]


@dataclass(frozen=True, slots=True)
class ErasureStep:
    table: str
    run: StepRun


# Rows that hang off a session first, the sessions last.
ERASURE_STEPS: tuple[ErasureStep, ...] = (
    ErasureStep("events", repository.delete_events),
    ErasureStep("nudges", repository.delete_nudges),
    ErasureStep("nudge_offers", repository.delete_nudge_offers),
    ErasureStep("product_views", repository.delete_product_views),
    ErasureStep("webhook_deliveries", repository.delete_webhook_deliveries),
    ErasureStep("conversations", erase_conversations),  # and their messages
    ErasureStep("sessions", repository.delete_sessions),
)


@dataclass(frozen=True, slots=True)
class ErasureResult:
    sessions: int
    events: int
    nudges: int


def could_be_stored(visitor_id: str) -> bool:
    """Whether ingestion could ever have stored this id (1-128 characters, no NUL, UTF-8):
    any other id has nothing to erase, and is never sent to the database."""
    if not 0 < len(visitor_id) <= MAX_ID_LENGTH or "\x00" in visitor_id:
        return False
    try:
        visitor_id.encode()
    except UnicodeEncodeError:
        return False
    return True


def erase_visitor(
    connection: Connection, *, site_id: str, mode: str, visitor_id: str, now_ms: int
) -> ErasureResult:
    """Erase the visitor in the caller's (write) transaction; safe to repeat."""
    dialect.lock_site_for_ingestion(connection, site_id)
    session_ids: list[str] = []
    if could_be_stored(visitor_id):
        session_ids = repository.sessions_of_visitor(connection, site_id, mode, visitor_id)
    others = repository.visitors_in(connection, site_id, mode, session_ids) - {visitor_id}
    deleted = {
        step.table: step.run(connection, site_id, mode, session_ids) for step in ERASURE_STEPS
    }
    refresh_influence(connection, site_id, mode, others)
    result = ErasureResult(
        sessions=deleted["sessions"], events=deleted["events"], nudges=deleted["nudges"]
    )
    repository.log_erasure(
        connection,
        {
            "site_id": site_id,
            "erasure_id": ids.new_id(ids.ERASURE, at_ms=now_ms),
            "mode": mode,
            "erased_at": now_ms,
            "sessions": result.sessions,
            "events": result.events,
            "nudges": result.nudges,
        },
    )
    return result
