"""Visitor context on sessions (browser, OS, device) and a per-site allow-list of origins.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CONTEXT_COLUMNS = ("browser", "os", "device")


def upgrade() -> None:
    # Nullable columns: plain ADD COLUMN on both backends, no table rewrite.
    for name in CONTEXT_COLUMNS:
        op.add_column("sessions", sa.Column(name, sa.String(64), nullable=True))
    op.add_column("sites", sa.Column("allowed_origins", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("allowed_origins")
    with op.batch_alter_table("sessions") as batch:
        for name in CONTEXT_COLUMNS:
            batch.drop_column(name)
