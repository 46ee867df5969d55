"""Conversations: the chat panel's transcripts (docs/api.md, Conversations).

- `sites.chat_responder`: who answers the site's chat panel (NULL: knowledge).
- `conversations`: one per session that chatted, with who answers it and its message count.
- `conversation_messages`: each message, its sender (shopper, assistant, merchant), text,
  time, and the source an assistant's answer came from.
- `knowledge_entries`: the store's FAQ entries and policies, for the knowledge responder.
- Full-text search over knowledge entries and products (the catalogue): on SQLite an FTS5
  table, `knowledge_fts`, kept in step by triggers on both tables (and filled with the products
  already known); on PostgreSQL, GIN indexes on their English `tsvector`s.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
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

    op.create_table(
        "knowledge_entries",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("entry_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "entry_id", name="pk_knowledge_entries"),
    )
    statements = SQLITE_SEARCH if op.get_bind().dialect.name == "sqlite" else POSTGRES_SEARCH
    for statement in statements:
        op.execute(statement)


# Knowledge entries are in both modes (mode ''); a product in its own.
SQLITE_SEARCH = (
    """CREATE VIRTUAL TABLE knowledge_fts USING fts5(
        site_id UNINDEXED, mode UNINDEXED, kind UNINDEXED, ref UNINDEXED, title, body,
        tokenize = 'porter unicode61')""",
    """CREATE TRIGGER knowledge_entries_ai AFTER INSERT ON knowledge_entries BEGIN
        INSERT INTO knowledge_fts (site_id, mode, kind, ref, title, body)
        VALUES (new.site_id, '', new.kind, new.entry_id, new.title, new.body);
    END""",
    """CREATE TRIGGER knowledge_entries_ad AFTER DELETE ON knowledge_entries BEGIN
        DELETE FROM knowledge_fts WHERE site_id = old.site_id AND mode = ''
            AND ref = old.entry_id;
    END""",
    """CREATE TRIGGER products_ai AFTER INSERT ON products BEGIN
        INSERT INTO knowledge_fts (site_id, mode, kind, ref, title, body)
        VALUES (new.site_id, new.mode, 'product', new.product_id, coalesce(new.name, ''), '');
    END""",
    """CREATE TRIGGER products_au AFTER UPDATE OF name ON products BEGIN
        DELETE FROM knowledge_fts WHERE site_id = old.site_id AND mode = old.mode
            AND kind = 'product' AND ref = old.product_id;
        INSERT INTO knowledge_fts (site_id, mode, kind, ref, title, body)
        VALUES (new.site_id, new.mode, 'product', new.product_id, coalesce(new.name, ''), '');
    END""",
    """CREATE TRIGGER products_ad AFTER DELETE ON products BEGIN
        DELETE FROM knowledge_fts WHERE site_id = old.site_id AND mode = old.mode
            AND kind = 'product' AND ref = old.product_id;
    END""",
    """INSERT INTO knowledge_fts (site_id, mode, kind, ref, title, body)
        SELECT site_id, mode, 'product', product_id, coalesce(name, ''), '' FROM products""",
)
POSTGRES_SEARCH = (
    """CREATE INDEX ix_knowledge_entries_fulltext ON knowledge_entries
        USING gin (to_tsvector('english', title || ' ' || body))""",
    """CREATE INDEX ix_products_fulltext ON products
        USING gin (to_tsvector('english', coalesce(name, '')))""",
)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("knowledge_entries_ai", "knowledge_entries_ad", "products_ai"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TRIGGER products_au")
        op.execute("DROP TRIGGER products_ad")
        op.execute("DROP TABLE knowledge_fts")
    else:
        op.execute("DROP INDEX ix_products_fulltext")
    op.drop_table("knowledge_entries")
    op.drop_table("conversation_messages")
    op.drop_table("conversations")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("chat_responder")
