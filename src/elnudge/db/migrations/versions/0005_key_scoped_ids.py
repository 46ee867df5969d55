"""Event ids de-duplicated per sender, nudge ids per mode.

- `events.id_scope`: the namespace an `event_id` is unique in. Events sent with a secret key
  share one namespace per site and mode (`secret`); events relayed with a public key are scoped
  to their client session key (`public:<key>`), so nothing sent through the public relay can
  swallow, or reveal, an id a store's back end sent. Existing events are placed in the secret
  namespace: the only cost is that an SDK retry of an event sent before the upgrade is stored
  a second time.
- `nudges` is keyed by (site, mode, nudge id): a test-mode show never blocks a live one.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("id_scope", sa.String(136), nullable=False, server_default="secret")
        )
        batch.drop_constraint("uq_events_site_id_mode_client_event_id", type_="unique")
        batch.create_unique_constraint(
            "uq_events_site_id_mode_id_scope_client_event_id",
            ["site_id", "mode", "id_scope", "client_event_id"],
        )
    with op.batch_alter_table("events") as batch:
        batch.alter_column("id_scope", server_default=None)
    with op.batch_alter_table("nudges") as batch:
        batch.drop_constraint("pk_nudges", type_="primary")
        batch.create_primary_key("pk_nudges", ["site_id", "mode", "nudge_id"])


def downgrade() -> None:
    with op.batch_alter_table("nudges") as batch:
        batch.drop_constraint("pk_nudges", type_="primary")
        batch.create_primary_key("pk_nudges", ["site_id", "nudge_id"])
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("uq_events_site_id_mode_id_scope_client_event_id", type_="unique")
        batch.create_unique_constraint(
            "uq_events_site_id_mode_client_event_id", ["site_id", "mode", "client_event_id"]
        )
        batch.drop_column("id_scope")
