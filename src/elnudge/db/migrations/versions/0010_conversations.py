"""Conversations: the chat panel's transcripts (docs/api.md, Conversations).

- `sites.chat_responder`: who answers the site's chat panel (NULL: knowledge).
- `conversations`: one per session that chatted, with who answers it and its message count.
- `conversation_messages`: each message, its sender (shopper, assistant, merchant), text,
  time, and the source an assistant's answer came from.

Revision ID: 0010
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sites", sa.Column("chat_responder", sa.String(16), nullable=True))
    op.create_table(
        "conversations",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("visitor_id", sa.String(128), nullable=True),
        sa.Column("responder", sa.String(16), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("last_message_at", sa.BigInteger(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "conversation_id", name="pk_conversations"),
        sa.UniqueConstraint(
            "site_id", "mode", "session_id", name="uq_conversations_site_id_mode_session_id"
        ),
    )
    op.create_index(
        "ix_conversations_list",
        "conversations",
        ["site_id", "mode", "started_at", "conversation_id"],
    )
    op.create_index("ix_conversations_visitor", "conversations", ["site_id", "mode", "visitor_id"])
    op.create_table(
        "conversation_messages",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("sender", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "message_id", name="pk_conversation_messages"),
    )
    op.create_index(
        "ix_conversation_messages_order",
        "conversation_messages",
        ["site_id", "conversation_id", "sent_at", "message_id"],
    )


def downgrade() -> None:
    op.drop_table("conversation_messages")
    op.drop_table("conversations")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("chat_responder")
