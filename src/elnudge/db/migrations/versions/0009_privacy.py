"""Visitor erasure.

- `erasures`: that an erasure happened (when, in which mode, how much it removed), never whose:
  the visitor's id is not kept anywhere.
- `ix_events_visitor`: erasure finds every event that carried the visitor's id, including one in
  a session that a later `visitor_id` took over; only events with a visitor id are indexed.

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None

_WITH_VISITOR = sa.text("visitor_id IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("erasure_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("erased_at", sa.BigInteger(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("nudges", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "erasure_id", name="pk_erasures"),
    )
    op.create_index(
        "ix_events_visitor",
        "events",
        ["site_id", "mode", "visitor_id"],
        postgresql_where=_WITH_VISITOR,
        sqlite_where=_WITH_VISITOR,
    )


def downgrade() -> None:
    op.drop_index("ix_events_visitor", table_name="events")
    op.drop_table("erasures")
