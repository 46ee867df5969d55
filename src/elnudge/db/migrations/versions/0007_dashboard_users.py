"""Dashboard users, their sites, their sign-in sessions, and each site's time zone.

- `users`: one row per person who signs in to the dashboard; the password as an argon2id hash.
- `user_sites`: which sites a user may see, as `owner` (may change settings and keys) or
  `viewer` (may only look).
- `dashboard_sessions`: signed-in browsers. The cookie holds a random token; only its SHA-256
  is stored, so a copy of the database cannot sign anyone in.
- `sites.timezone`: the IANA zone the dashboard shows the site's times in (default UTC).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"))
    op.create_table(
        "users",
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "user_sites",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "user_id", name="pk_user_sites"),
    )
    op.create_index("ix_user_sites_user_id", "user_sites", ["user_id"])
    op.create_table(
        "dashboard_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_dashboard_sessions"),
    )
    op.create_index("ix_dashboard_sessions_user_id", "dashboard_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_dashboard_sessions_user_id", table_name="dashboard_sessions")
    op.drop_table("dashboard_sessions")
    op.drop_index("ix_user_sites_user_id", table_name="user_sites")
    op.drop_table("user_sites")
    op.drop_table("users")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("timezone")
