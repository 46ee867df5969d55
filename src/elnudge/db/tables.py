"""The schema as SQLAlchemy Core tables. Alembic migrations are the source of truth; a test
checks that these tables and the migrated database agree.

Times are UTC epoch milliseconds (BIGINT) on every backend: exact, compact and dialect-neutral.
Every table carries `site_id` as the first column of its primary key, so data can be sharded
by site.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

sites = Table(
    "sites",
    metadata,
    Column("site_id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("plan", String(20), nullable=False),
    # Enterprise overrides (docs/api.md, Plans and windows); NULL means "the plan's default".
    Column("api_window_days", Integer, nullable=True),
    Column("storage_days", Integer, nullable=True),
    # Signs this site's pagination cursors, so a cursor can neither be forged nor cross sites.
    Column("cursor_secret", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    # Origins allowed to use the site's public key with the relay, one per line; NULL: any.
    Column("allowed_origins", Text, nullable=True),
    # The nudge engine's settings as one JSON document (engine/settings.py); NULL: defaults.
    Column("engine_settings", Text, nullable=True),
    # The IANA time zone the dashboard shows this site's times in.
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    # When the site's SDK first sent an event (the script tag works; `app.installed`).
    Column("installed_at", BigInteger, nullable=True),
    # Who answers the chat panel: knowledge, llm or human (vocabulary.Responder); NULL: knowledge.
    Column("chat_responder", String(16), nullable=True),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("site_id", String(32), primary_key=True),
    Column("key_id", String(32), primary_key=True),
    Column("mode", String(4), nullable=False),
    Column("kind", String(6), nullable=False),  # "secret" or "public"
    # SHA-256 of the whole key: keys are 190+ bits of randomness, so a plain hash is safe.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("hint", String(16), nullable=False),  # the last four characters, for people
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=True),
    Column("revoked_at", BigInteger, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("site_id", String(32), primary_key=True),
    Column("session_id", String(32), primary_key=True),
    Column("mode", String(4), nullable=False),
    Column("client_key", String(128), nullable=False),
    Column("visitor_id", String(128), nullable=True),
    Column("started_at", BigInteger, nullable=False),
    Column("ended_at", BigInteger, nullable=False),
    Column("page_count", Integer, nullable=False),
    Column("intent_score", Integer, nullable=False),
    Column("converted", Boolean, nullable=False),
    Column("nudge_count", Integer, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("is_bot", Boolean, nullable=False, server_default="0"),
    # Visitor context from the relay's User-Agent (never the IP address); NULL when unknown.
    Column("browser", String(64), nullable=True),
    Column("os", String(64), nullable=True),
    Column("device", String(64), nullable=True),
    # What ingestion needs to continue the derived fields after the session's last event
    # (sessions/summary.py), so appended events need not re-read the stored ones; NULL: unknown.
    Column("summary_state", Text, nullable=True),
    # A live, non-bot session's place among its site's sessions of the UTC month it started in
    # (1 for the first), fixed when it starts: the monthly allowance compares against it.
    Column("month_ordinal", Integer, nullable=True),
    # The list query: one index range scan, newest first, ties by id.
    Index("ix_sessions_list", "site_id", "mode", "is_bot", "started_at", "session_id"),
    # Sessionization: a client key's sessions near a point in time.
    Index("ix_sessions_client", "site_id", "mode", "client_key", "started_at"),
    Index("ix_sessions_visitor", "site_id", "mode", "visitor_id"),
    # The nudge report and the dashboard count a period's sessions and their conversions: an
    # index-only range scan, without reading the rows (migration 0008).
    Index(
        "ix_sessions_report", "site_id", "mode", "is_bot", "started_at", "converted", "session_id"
    ),
)

events = Table(
    "events",
    metadata,
    Column("site_id", String(32), primary_key=True),
    Column("event_id", String(32), primary_key=True),
    Column("mode", String(4), nullable=False),
    Column("session_id", String(32), nullable=False),
    Column("client_key", String(128), nullable=False),
    # The sender's own id, for idempotent delivery: unique per site, mode and `id_scope` (NULLs
    # never collide). The scope is `secret` for the REST API, `public:<client key>` for the
    # relay, so a public key can never swallow or probe an id sent with a secret key.
    Column("client_event_id", String(128), nullable=True),
    Column("id_scope", String(136), nullable=False),
    Column("visitor_id", String(128), nullable=True),
    Column("type", String(24), nullable=False),
    Column("occurred_at", BigInteger, nullable=False),
    Column("url", Text, nullable=False),
    Column("data", Text, nullable=False),
    # The intent score after this event, for the per-event history.
    Column("intent_score", Integer, nullable=False),
    Column("received_at", BigInteger, nullable=False),
    UniqueConstraint("site_id", "mode", "id_scope", "client_event_id"),
    Index("ix_events_session", "site_id", "session_id", "occurred_at"),
    Index("ix_events_age", "site_id", "occurred_at"),
    # Erasure: every event that carried a visitor's id (only such events are indexed).
    Index(
        "ix_events_visitor",
        "site_id",
        "mode",
        "visitor_id",
        postgresql_where=text("visitor_id IS NOT NULL"),
        sqlite_where=text("visitor_id IS NOT NULL"),
    ),
)

nudges = Table(
    "nudges",
    metadata,
    Column("site_id", String(32), primary_key=True),
    Column("mode", String(4), primary_key=True),
    Column("nudge_id", String(64), primary_key=True),
    Column("session_id", String(32), nullable=False),
    Column("visitor_id", String(128), nullable=True),
    Column("type", String(16), nullable=False),
    Column("shown_at", BigInteger, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("last_interaction_at", BigInteger, nullable=True),
    Column("influenced_conversion", Boolean, nullable=False),
    # Whether the nudge had at least one such event (its `outcome` keeps only the most engaged
    # one): the nudge report counts each reaction (migration 0008).
    Column("clicked", Boolean, nullable=False, server_default="0"),
    Column("dismissed", Boolean, nullable=False, server_default="0"),
    Column("chat_opened", Boolean, nullable=False, server_default="0"),
    Index("ix_nudges_session", "site_id", "session_id"),
    Index("ix_nudges_list", "site_id", "mode", "shown_at", "nudge_id"),
    Index("ix_nudges_visitor", "site_id", "mode", "visitor_id", "last_interaction_at"),
)

nudge_offers = Table(
    "nudge_offers",
    metadata,
    # Every nudge the engine decided: sent to the widget, or recorded as "would have shown" for
    # a held-out visitor or in test mode. A sent offer becomes a nudge once the widget reports
    # NUDGE_SHOWN with its id; offers count for the engine's rules whether shown or not.
    Column("site_id", String(32), primary_key=True),
    Column("mode", String(4), primary_key=True),
    Column("nudge_id", String(64), primary_key=True),
    Column("session_id", String(32), nullable=False),
    Column("visitor_id", String(128), nullable=True),
    Column("type", String(16), nullable=False),
    Column("rule", String(32), nullable=False),
    Column("offered_at", BigInteger, nullable=False),
    Column("held_out", Boolean, nullable=False),
    Column("engine_version", String(16), nullable=False),
    Index("ix_nudge_offers_session", "site_id", "session_id"),
)

site_usage = Table(
    "site_usage",
    metadata,
    # Live, non-bot sessions started per UTC month ("2026-12"), and when the monthly allowance
    # was 80% and 100% used (each recorded once, for the site to be told).
    Column("site_id", String(32), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("sessions", Integer, nullable=False),
    Column("reached_80_at", BigInteger, nullable=True),
    Column("reached_100_at", BigInteger, nullable=True),
)

products = Table(
    "products",
    metadata,
    # The catalogue as PRODUCT_VIEW events describe it, latest view first to last.
    Column("site_id", String(32), primary_key=True),
    Column("mode", String(4), primary_key=True),
    Column("product_id", String(512), primary_key=True),
    Column("name", String(512), nullable=True),
    Column("price", Float, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("stock", Integer, nullable=True),
    Column("url", Text, nullable=False),
    Column("last_viewed_at", BigInteger, nullable=False),
)

product_views = Table(
    "product_views",
    metadata,
    # When each session last viewed each product: "N people are viewing this now".
    Column("site_id", String(32), primary_key=True),
    Column("mode", String(4), primary_key=True),
    Column("product_id", String(512), primary_key=True),
    Column("session_id", String(32), primary_key=True),
    Column("viewed_at", BigInteger, nullable=False),
    Index("ix_product_views_recent", "site_id", "mode", "product_id", "viewed_at"),
)

users = Table(
    "users",
    metadata,
    # People who sign in to the dashboard (not tenants: a user may see several sites).
    Column("user_id", String(32), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),  # argon2id (users/passwords.py)
    Column("created_at", BigInteger, nullable=False),
)

user_sites = Table(
    "user_sites",
    metadata,
    Column("site_id", String(32), primary_key=True),
    Column("user_id", String(32), primary_key=True),
    Column("role", String(8), nullable=False),  # "owner" or "viewer"
    Index("ix_user_sites_user_id", "user_id"),
)

dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    # A signed-in browser: the SHA-256 of its cookie's random token, never the token itself.
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_dashboard_sessions_user_id", "user_id"),
)

erasures = Table(
    "erasures",
    metadata,
    # That a visitor was erased, when and how much went, for the store's records: never whose
    # (the visitor's id is kept nowhere).
    Column("site_id", String(32), primary_key=True),
    Column("erasure_id", String(32), primary_key=True),
    Column("mode", String(4), nullable=False),
    Column("erased_at", BigInteger, nullable=False),
    Column("sessions", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("nudges", Integer, nullable=False),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    # Where a site's webhooks go (docs/webhooks.md). The secret is kept as it is: signing needs
    # it. After a rotation the previous secret also signs until `previous_until`.
    Column("site_id", String(32), primary_key=True),
    Column("endpoint_id", String(32), primary_key=True),
    Column("url", Text, nullable=False),
    Column("events", Text, nullable=False),  # subscribed event names, one per line
    Column("secret", String(64), nullable=False),
    Column("previous_secret", String(64), nullable=True),
    Column("previous_until", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    # Since when every attempt has failed (NULL: the last one succeeded), and when the endpoint
    # was disabled for failing 3 days.
    Column("failing_since", BigInteger, nullable=True),
    Column("disabled_at", BigInteger, nullable=True),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    # The outbox and the delivery log: one row per event and endpoint, written in the same
    # transaction as its cause, sent by the worker (webhooks/worker.py).
    Column("site_id", String(32), primary_key=True),
    Column("delivery_id", String(32), primary_key=True),
    Column("endpoint_id", String(32), nullable=False),
    Column("mode", String(4), nullable=False),
    Column("event_id", String(32), nullable=False),  # the webhook event's id, for de-duplication
    Column("event", String(40), nullable=False),
    # The session the event is about, if any: erasure deletes its deliveries.
    Column("session_id", String(32), nullable=True),
    Column("payload", Text, nullable=False),  # the exact body sent
    Column("status", String(10), nullable=False),  # pending, succeeded, failed
    Column("attempts", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    # A worker that claims the delivery owns it until then (a crashed worker's claim expires).
    Column("lease_until", BigInteger, nullable=True),
    Column("last_attempt_at", BigInteger, nullable=True),
    Column("last_status", Integer, nullable=True),  # the receiver's HTTP status
    Column("last_error", Text, nullable=True),
    Column("finished_at", BigInteger, nullable=True),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_endpoint", "site_id", "endpoint_id", "created_at"),
    Index("ix_webhook_deliveries_session", "site_id", "mode", "session_id"),
)

conversations = Table(
    "conversations",
    metadata,
    # One per session that chatted (created by the shopper's first message), kept 12 months
    # (retention/purge.py), whatever the plan's session storage.
    Column("site_id", String(32), primary_key=True),
    Column("conversation_id", String(32), primary_key=True),
    Column("mode", String(4), nullable=False),
    Column("session_id", String(32), nullable=False),
    Column("visitor_id", String(128), nullable=True),
    Column("responder", String(16), nullable=False),  # who answers: knowledge, llm or human
    Column("started_at", BigInteger, nullable=False),
    Column("last_message_at", BigInteger, nullable=False),
    Column("message_count", Integer, nullable=False),
    UniqueConstraint("site_id", "mode", "session_id"),
    # The list query: one index range scan, newest first, ties by id.
    Index("ix_conversations_list", "site_id", "mode", "started_at", "conversation_id"),
    Index("ix_conversations_visitor", "site_id", "mode", "visitor_id"),
)

conversation_messages = Table(
    "conversation_messages",
    metadata,
    Column("site_id", String(32), primary_key=True),
    Column("message_id", String(32), primary_key=True),
    Column("conversation_id", String(32), nullable=False),
    Column("sender", String(16), nullable=False),  # shopper, assistant or merchant
    Column("text", Text, nullable=False),
    # Where an assistant's answer came from, as JSON ({"kind", "title", "url"}); NULL: none.
    Column("source", Text, nullable=True),
    Column("sent_at", BigInteger, nullable=False),
    Index("ix_conversation_messages_order", "site_id", "conversation_id", "sent_at", "message_id"),
)

knowledge_entries = Table(
    "knowledge_entries",
    metadata,
    # What the store knows, for the chat's knowledge responder: FAQ entries and policies the
    # merchant adds (the catalogue comes from `products`). The same in both modes: it is the
    # store's content, not data of a mode. Searched by full text (db/dialect.py,
    # `knowledge_candidates`): an FTS5 table kept by triggers on SQLite, GIN indexes on PostgreSQL.
    Column("site_id", String(32), primary_key=True),
    Column("entry_id", String(32), primary_key=True),
    Column("kind", String(8), nullable=False),  # faq or policy
    Column("title", String(300), nullable=False),  # the question, or the policy's name
    Column("body", Text, nullable=False),  # the answer, as the shopper will read it
    Column("url", Text, nullable=True),  # where the store says more
    Column("created_at", BigInteger, nullable=False),
)


# -- the report's rollups (metrics/rollups.py) ----------------------------------------------------
# Counts of a site's sessions per 15-minute slot of their start, kept for whole UTC hours, so the
# nudge report and the dashboard read a month as a few thousand small rows. An hour's rows are
# valid while its `report_hours` row exists: triggers on sessions, nudges and nudge offers
# (migrations 0011, 0012) delete that row, and with it (ON DELETE CASCADE) the hour's counts,
# whenever anything they count changes; the next read counts the hour again from the rows.

ROLLUP = {"rollup": True}  # derived counts: deleting a site empties them first

report_hours = Table(
    "report_hours",
    metadata,
    Column("site_id", String(32), primary_key=True),
    Column("mode", String(4), primary_key=True),
    Column("hour", BigInteger, primary_key=True),  # UTC hour number: started_at // HOUR_MS
    Column("counted_at", BigInteger, nullable=False),
    info=ROLLUP,
)


def _of_report_hour(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["site_id", "mode", "hour"],
        ["report_hours.site_id", "report_hours.mode", "report_hours.hour"],
        ondelete="CASCADE",
        name=f"fk_{table}_report_hours",
    )


report_slots = Table(
    "report_slots",
    metadata,
    Column("site_id", String(32), primary_key=True),
    Column("mode", String(4), primary_key=True),
    Column("hour", BigInteger, primary_key=True),
    Column("slot", BigInteger, primary_key=True),  # started_at // 15 minutes
    Column("sessions", Integer, nullable=False),
    Column("conversions", Integer, nullable=False),
    Column("intent_total", BigInteger, nullable=False),
    Column("interacted", Integer, nullable=False),  # sessions with a nudge interaction
    Column("interacted_conversions", Integer, nullable=False),
    Column("treatment", Integer, nullable=False),
    Column("treatment_conversions", Integer, nullable=False),
    Column("holdout", Integer, nullable=False),
    Column("holdout_conversions", Integer, nullable=False),
    _of_report_hour("report_slots"),
    info=ROLLUP,
)

report_slot_types = Table(
    "report_slot_types",
    metadata,
    Column("site_id", String(32), primary_key=True),
    Column("mode", String(4), primary_key=True),
    Column("hour", BigInteger, primary_key=True),
    Column("slot", BigInteger, primary_key=True),
    Column("type", String(16), primary_key=True),
    Column("shown", Integer, nullable=False),
    Column("clicked", Integer, nullable=False),
    Column("dismissed", Integer, nullable=False),
    Column("chat_opened", Integer, nullable=False),
    Column("sessions", Integer, nullable=False),
    Column("conversions", Integer, nullable=False),
    Column("influenced_conversions", Integer, nullable=False),
    _of_report_hour("report_slot_types"),
    info=ROLLUP,
)

report_slot_credits = Table(
    "report_slot_credits",
    metadata,
    # An influenced purchase credited to a session that started in the hour (every such session:
    # a read counts each purchase once, with the earliest session it reads; metrics/rollups.py).
    Column("site_id", String(32), primary_key=True),
    Column("mode", String(4), primary_key=True),
    Column("hour", BigInteger, primary_key=True),
    Column("event_id", String(32), primary_key=True),  # the purchase event
    Column("started_at", BigInteger, primary_key=True),  # the start of the session credited
    Column("currency", String(3), nullable=False),
    Column("amount", Text, nullable=False),  # the value exactly as sent (a decimal)
    _of_report_hour("report_slot_credits"),
    info=ROLLUP,
)
