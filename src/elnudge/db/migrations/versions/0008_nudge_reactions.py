"""Every reaction of a nudge, for the nudge report.

`nudges.outcome` keeps only the most engaged reaction (chat opened > clicked > dismissed), but
`GET /v1/reports/nudges` counts the nudges that had at least one click, one dismissal, one
chat opening: a nudge clicked and then dismissed counts in both. Three flags keep that on the
row, so the report aggregates the nudges table alone and never parses the events' JSON.

Existing nudges are filled in from their reaction events (those of the nudge's own session,
as ingestion counts them).

`ix_sessions_report` lets the report count a period's sessions and conversions from the index
alone (docs/reports.md, bench/RESULTS.md).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import json
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_FLAGS = {
    "NUDGE_CLICKED": "clicked",
    "NUDGE_DISMISSED": "dismissed",
    "NUDGE_CHAT_OPENED": "chat_opened",
}


def upgrade() -> None:
    with op.batch_alter_table("nudges") as batch:
        for flag in _FLAGS.values():
            batch.add_column(sa.Column(flag, sa.Boolean(), nullable=False, server_default="0"))
    _fill_in(op.get_bind())
    op.create_index(
        "ix_sessions_report",
        "sessions",
        ["site_id", "mode", "is_bot", "started_at", "converted", "session_id"],
    )


def _fill_in(connection: sa.Connection) -> None:
    """Set each stored nudge's flags from the reaction events of its session, site by site."""
    sites = sa.table("sites", sa.column("site_id"))
    for site_id in connection.execute(sa.select(sites.c.site_id)).scalars().all():
        _fill_in_site(connection, site_id)


def _fill_in_site(connection: sa.Connection, site_id: str) -> None:
    events = sa.table(
        "events",
        sa.column("site_id"),
        sa.column("mode"),
        sa.column("session_id"),
        sa.column("type"),
        sa.column("data"),
    )
    reactions = connection.execute(
        sa.select(
            events.c.site_id, events.c.mode, events.c.session_id, events.c.type, events.c.data
        ).where(events.c.site_id == site_id, events.c.type.in_(list(_FLAGS)))
    )
    had: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for _, mode, session_id, kind, data in reactions:
        nudge_id = json.loads(data).get("nudge_id")
        if isinstance(nudge_id, str):
            had[site_id, mode, session_id, nudge_id].add(_FLAGS[kind])
    if not had:
        return
    nudges = sa.table(
        "nudges",
        sa.column("site_id"),
        sa.column("mode"),
        sa.column("session_id"),
        sa.column("nudge_id"),
        *(sa.column(flag) for flag in _FLAGS.values()),
    )
    update = (
        sa.update(nudges)
        .where(
            nudges.c.site_id == sa.bindparam("b_site_id"),
            nudges.c.mode == sa.bindparam("b_mode"),
            nudges.c.session_id == sa.bindparam("b_session_id"),
            nudges.c.nudge_id == sa.bindparam("b_nudge_id"),
        )
        .values({flag: sa.bindparam(flag) for flag in _FLAGS.values()})
    )
    rows = [
        {
            "b_site_id": site_id,
            "b_mode": mode,
            "b_session_id": session_id,
            "b_nudge_id": nudge_id,
            **{flag: flag in flags for flag in _FLAGS.values()},
        }
        for (site_id, mode, session_id, nudge_id), flags in had.items()
    ]
    connection.execute(update, rows)


def downgrade() -> None:
    op.drop_index("ix_sessions_report", table_name="sessions")
    with op.batch_alter_table("nudges") as batch:
        for flag in _FLAGS.values():
            batch.drop_column(flag)
