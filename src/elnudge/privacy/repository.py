"""The SQL of visitor erasure: finding a visitor's sessions, deleting per table, the log.

Every statement names the site and the mode: an erasure can never reach another site's or
mode's rows. Session ids go in IN lists of at most IN_CHUNK values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, delete, insert, select, union
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import ColumnElement

from elnudge.db.prebuilt import IN_CHUNK
from elnudge.db.tables import (
    erasures,
    events,
    nudge_offers,
    nudges,
    product_views,
    sessions,
    webhook_deliveries,
)


def sessions_of_visitor(
    connection: Connection, site_id: str, mode: str, visitor_id: str
) -> list[str]:
    """The sessions that belong to the visitor, and those where any event carried their id
    (a shared device's session that a later `visitor_id` took over), oldest id first."""
    owned = select(sessions.c.session_id).where(
        sessions.c.site_id == site_id,
        sessions.c.mode == mode,
        sessions.c.visitor_id == visitor_id,
    )
    carried = select(events.c.session_id).where(
        events.c.site_id == site_id,
        events.c.mode == mode,
        events.c.visitor_id == visitor_id,
    )
    return sorted(connection.execute(union(owned, carried)).scalars())


def visitors_in(
    connection: Connection, site_id: str, mode: str, session_ids: Sequence[str]
) -> set[str]:
    """Every visitor id that the events of these sessions carried."""
    found: set[str] = set()
    for chunk in _chunks(session_ids):
        statement = (
            select(events.c.visitor_id)
            .where(
                events.c.site_id == site_id,
                events.c.mode == mode,
                events.c.session_id.in_(chunk),
                events.c.visitor_id.is_not(None),
            )
            .distinct()
        )
        found.update(connection.execute(statement).scalars())
    return found


def delete_of_sessions(
    table: Table,
) -> Callable[[Connection, str, str, Sequence[str]], int]:
    """A step that deletes `table`'s rows of the given sessions (the table has `site_id`,
    `mode` and `session_id` columns) and returns how many went."""

    def run(connection: Connection, site_id: str, mode: str, session_ids: Sequence[str]) -> int:
        deleted = 0
        for chunk in _chunks(session_ids):
            where: list[ColumnElement[bool]] = [
                table.c.site_id == site_id,
                table.c.mode == mode,
                table.c.session_id.in_(chunk),
            ]
            deleted += connection.execute(delete(table).where(*where)).rowcount
        return deleted

    return run


delete_events = delete_of_sessions(events)
delete_nudges = delete_of_sessions(nudges)
delete_nudge_offers = delete_of_sessions(nudge_offers)
delete_product_views = delete_of_sessions(product_views)
delete_sessions = delete_of_sessions(sessions)
# Webhook deliveries about the sessions (pending ones and the log): their bodies name them.
delete_webhook_deliveries = delete_of_sessions(webhook_deliveries)


def log_erasure(connection: Connection, row: dict[str, Any]) -> None:
    connection.execute(insert(erasures), [row])


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[start : start + IN_CHUNK] for start in range(0, len(values), IN_CHUNK)]
