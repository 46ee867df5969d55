"""The nudge engine's storage: settings, offers, monthly usage, and what shoppers view.

- `sites.engine_settings`: the site's engine settings as one JSON document (NULL: defaults).
- `sessions.month_ordinal`: a live, non-bot session's place among its site's sessions of the
  UTC month it started in, fixed when it starts (the monthly allowance compares against it).
- `nudge_offers`: every nudge the engine decided, sent or recorded as "would have shown" (a
  held-out visitor, test mode); the engine's rules count them, and the holdout experiment
  compares the two arms.
- `site_usage`: live, non-bot sessions started per site and UTC month, and when 80% and 100% of
  the allowance were reached.
- `products`: the catalogue as `PRODUCT_VIEW` events describe it (the chat's knowledge).
- `product_views`: the last time each session viewed each product (the "people viewing this
  now" toast counts other sessions).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sites", sa.Column("engine_settings", sa.Text(), nullable=True))
    op.add_column("sessions", sa.Column("month_ordinal", sa.Integer(), nullable=True))
    op.create_table(
        "nudge_offers",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("nudge_id", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("visitor_id", sa.String(128), nullable=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("offered_at", sa.BigInteger(), nullable=False),
        sa.Column("held_out", sa.Boolean(), nullable=False),
        sa.Column("engine_version", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "mode", "nudge_id", name="pk_nudge_offers"),
    )
    op.create_index("ix_nudge_offers_session", "nudge_offers", ["site_id", "session_id"])
    op.create_table(
        "site_usage",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("reached_80_at", sa.BigInteger(), nullable=True),
        sa.Column("reached_100_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("site_id", "month", name="pk_site_usage"),
    )
    op.create_table(
        "products",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("product_id", sa.String(512), nullable=False),
        sa.Column("name", sa.String(512), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("last_viewed_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "mode", "product_id", name="pk_products"),
    )
    op.create_table(
        "product_views",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("product_id", sa.String(512), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("viewed_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "site_id", "mode", "product_id", "session_id", name="pk_product_views"
        ),
    )
    op.create_index(
        "ix_product_views_recent",
        "product_views",
        ["site_id", "mode", "product_id", "viewed_at"],
    )


def downgrade() -> None:
    op.drop_table("product_views")
    op.drop_table("products")
    op.drop_table("site_usage")
    op.drop_table("nudge_offers")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("month_ordinal")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("engine_settings")
