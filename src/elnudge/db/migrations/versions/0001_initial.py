"""Sites, keys, sessions, events and nudges.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("plan", sa.String(20), nullable=False),
        sa.Column("api_window_days", sa.Integer, nullable=True),
        sa.Column("storage_days", sa.Integer, nullable=True),
        sa.Column("cursor_secret", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("site_id", name="pk_sites"),
    )
    op.create_table(
        "api_keys",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("kind", sa.String(6), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("hint", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=True),
        sa.Column("revoked_at", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("site_id", "key_id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_table(
        "sessions",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("client_key", sa.String(128), nullable=False),
        sa.Column("visitor_id", sa.String(128), nullable=True),
        sa.Column("started_at", sa.BigInteger, nullable=False),
        sa.Column("ended_at", sa.BigInteger, nullable=False),
        sa.Column("page_count", sa.Integer, nullable=False),
        sa.Column("intent_score", sa.Integer, nullable=False),
        sa.Column("converted", sa.Boolean, nullable=False),
        sa.Column("nudge_count", sa.Integer, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("is_bot", sa.Boolean, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("site_id", "session_id", name="pk_sessions"),
    )
    op.create_index(
        "ix_sessions_list", "sessions", ["site_id", "mode", "is_bot", "started_at", "session_id"]
    )
    op.create_index(
        "ix_sessions_client", "sessions", ["site_id", "mode", "client_key", "started_at"]
    )
    op.create_index("ix_sessions_visitor", "sessions", ["site_id", "mode", "visitor_id"])
    op.create_table(
        "events",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("client_key", sa.String(128), nullable=False),
        sa.Column("client_event_id", sa.String(128), nullable=True),
        sa.Column("visitor_id", sa.String(128), nullable=True),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("occurred_at", sa.BigInteger, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("intent_score", sa.Integer, nullable=False),
        sa.Column("received_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("site_id", "event_id", name="pk_events"),
        sa.UniqueConstraint("site_id", "client_event_id", name="uq_events_site_id_client_event_id"),
    )
    op.create_index("ix_events_session", "events", ["site_id", "session_id", "occurred_at"])
    op.create_index("ix_events_age", "events", ["site_id", "occurred_at"])
    op.create_table(
        "nudges",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("nudge_id", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("visitor_id", sa.String(128), nullable=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("shown_at", sa.BigInteger, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("last_interaction_at", sa.BigInteger, nullable=True),
        sa.Column("influenced_conversion", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("site_id", "nudge_id", name="pk_nudges"),
    )
    op.create_index("ix_nudges_session", "nudges", ["site_id", "session_id"])
    op.create_index("ix_nudges_list", "nudges", ["site_id", "mode", "shown_at", "nudge_id"])
    op.create_index(
        "ix_nudges_visitor", "nudges", ["site_id", "mode", "visitor_id", "last_interaction_at"]
    )


def downgrade() -> None:
    for table in ("nudges", "events", "sessions", "api_keys", "sites"):
        op.drop_table(table)
