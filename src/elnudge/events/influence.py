"""Cross-session attribution brought up to date for a few visitors.

A purchase in one of a visitor's sessions can credit a nudge in another of their sessions
(docs/api.md, Nudges): whatever adds, moves or removes sessions recomputes the flag for every
visitor it touched — ingestion after a batch, erasure after deleting sessions.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from elnudge.attribution import influenced
from elnudge.events import repository


def refresh_influence(
    connection: Connection, site_id: str, mode: str, visitor_ids: Iterable[str]
) -> None:
    """Recompute `influenced_conversion` of these visitors' engaged nudges from their purchases."""
    visitors = sorted(set(visitor_ids))
    if not visitors:
        return
    purchases = repository.visitor_purchase_times(connection, site_id, mode, visitors)
    changes = {}
    for row in repository.visitor_engaged_nudges(connection, site_id, mode, visitors):
        value = influenced(row.last_interaction_at, purchases[row.visitor_id])
        if value != bool(row.influenced_conversion):
            changes[row.nudge_id] = value
    repository.set_influenced(connection, site_id, mode, changes)
