"""Event ids are unique per site and mode, not per site: a test-mode event never hides a live one.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("uq_events_site_id_client_event_id", type_="unique")
        batch.create_unique_constraint(
            "uq_events_site_id_mode_client_event_id", ["site_id", "mode", "client_event_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("uq_events_site_id_mode_client_event_id", type_="unique")
        batch.create_unique_constraint(
            "uq_events_site_id_client_event_id", ["site_id", "client_event_id"]
        )
