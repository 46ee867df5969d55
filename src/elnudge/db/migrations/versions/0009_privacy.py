"""Visitor erasure and webhooks.

- `erasures`: that an erasure happened (when, in which mode, how much it removed), never whose:
  the visitor's id is not kept anywhere.
- `ix_events_visitor`: erasure finds every event that carried the visitor's id, including one in
  a session that a later `visitor_id` took over; only events with a visitor id are indexed.
- `sites.installed_at`: when the site's SDK first sent an event (`app.installed`).
- `webhook_endpoints`: where a site's webhooks go, with their events and signing secrets.
- `webhook_deliveries`: the outbox and delivery log, one row per event and endpoint.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_WITH_VISITOR = sa.text("visitor_id IS NOT NULL")


def upgrade() -> None:
    op.add_column("sites", sa.Column("installed_at", sa.BigInteger(), nullable=True))
    # Sites whose SDK has already reported are installed: no late `app.installed` for them.
    op.execute(
        "UPDATE sites SET installed_at = (SELECT MIN(events.received_at) FROM events"
        " WHERE events.site_id = sites.site_id AND events.id_scope LIKE 'public:%')"
    )
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

    op.create_table(
        "webhook_endpoints",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("endpoint_id", sa.String(32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("previous_secret", sa.String(64), nullable=True),
        sa.Column("previous_until", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("failing_since", sa.BigInteger(), nullable=True),
        sa.Column("disabled_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("site_id", "endpoint_id", name="pk_webhook_endpoints"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("delivery_id", sa.String(32), nullable=False),
        sa.Column("endpoint_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("last_attempt_at", sa.BigInteger(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("site_id", "delivery_id", name="pk_webhook_deliveries"),
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_webhook_deliveries_endpoint",
        "webhook_deliveries",
        ["site_id", "endpoint_id", "created_at"],
    )
    op.create_index(
        "ix_webhook_deliveries_session", "webhook_deliveries", ["site_id", "mode", "session_id"]
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
    op.drop_index("ix_events_visitor", table_name="events")
    op.drop_table("erasures")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("installed_at")
