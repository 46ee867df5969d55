"""The report's rollups: a site's session counts per 15-minute slot, kept for whole UTC days.

- `report_days`: the days whose counts are stored (one row per site, mode and UTC day).
- `report_slots`, `report_slot_types`, `report_slot_credits`: the stored counts of a day's
  sessions, per slot of their start: sessions, conversions, intent, nudge interactions and the
  experiment's arms; per nudge type; the influenced purchases. They belong to their day's
  `report_days` row and go with it (ON DELETE CASCADE).
- Triggers on `sessions`, `nudges` and `nudge_offers` delete the `report_days` row of the day a
  session started on whenever a row that day's counts read is inserted, changed or deleted
  (ingestion, late events, merges, erasure, purges, the relay's decisions — whatever writes it),
  so a stored day is never stale: the next read counts it again (metrics/rollups.py).
  On PostgreSQL the trigger first takes the site's report lock in shared mode; counting a day
  takes it exclusively, so a day is never stored from counts that miss a write in flight.

Nothing is filled in: days are counted when a report first reads them.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DAY_MS = 86_400_000
_KEY = ["site_id", "mode", "day"]


def upgrade() -> None:
    op.create_table(
        "report_days",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("counted_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, name="pk_report_days"),
    )
    op.create_table(
        "report_slots",
        *_day_columns(),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("conversions", sa.Integer(), nullable=False),
        sa.Column("intent_total", sa.BigInteger(), nullable=False),
        sa.Column("interacted", sa.Integer(), nullable=False),
        sa.Column("interacted_conversions", sa.Integer(), nullable=False),
        sa.Column("treatment", sa.Integer(), nullable=False),
        sa.Column("treatment_conversions", sa.Integer(), nullable=False),
        sa.Column("holdout", sa.Integer(), nullable=False),
        sa.Column("holdout_conversions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, "slot", name="pk_report_slots"),
        _of_day("report_slots"),
    )
    op.create_table(
        "report_slot_types",
        *_day_columns(),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("shown", sa.Integer(), nullable=False),
        sa.Column("clicked", sa.Integer(), nullable=False),
        sa.Column("dismissed", sa.Integer(), nullable=False),
        sa.Column("chat_opened", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("conversions", sa.Integer(), nullable=False),
        sa.Column("influenced_conversions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, "slot", "type", name="pk_report_slot_types"),
        _of_day("report_slot_types"),
    )
    op.create_table(
        "report_slot_credits",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, "event_id", name="pk_report_slot_credits"),
        _of_day("report_slot_credits"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def _day_columns() -> list[sa.Column[int] | sa.Column[str]]:
    return [
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=False),
    ]


def _of_day(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        _KEY,
        [f"report_days.{column}" for column in _KEY],
        ondelete="CASCADE",
        name=f"fk_{table}_report_days",
    )


# What each table's rows are counted by: a change of another column changes no count.
_SESSION_COLUMNS = "started_at, is_bot, converted, intent_score, visitor_id"
_NUDGE_COLUMNS = (
    "session_id, type, shown_at, clicked, dismissed, chat_opened, last_interaction_at,"
    " influenced_conversion"
)
_OFFER_COLUMNS = "session_id, type, held_out"


def _sqlite_triggers(table: str, columns: str, *, own_start: bool) -> list[str]:
    def forget(row: str) -> str:
        started_at = (
            f"{row}.started_at"
            if own_start
            else f"(SELECT started_at FROM sessions WHERE site_id = {row}.site_id"
            f" AND session_id = {row}.session_id)"
        )
        return (
            f"DELETE FROM report_days WHERE site_id = {row}.site_id AND mode = {row}.mode"
            f" AND day = {started_at} / {DAY_MS};"
        )

    return [
        f"CREATE TRIGGER {table}_report_ai AFTER INSERT ON {table} BEGIN {forget('new')} END",
        f"CREATE TRIGGER {table}_report_au AFTER UPDATE OF {columns} ON {table}"
        f" BEGIN {forget('old')} {forget('new')} END",
        f"CREATE TRIGGER {table}_report_ad AFTER DELETE ON {table} BEGIN {forget('old')} END",
    ]


SQLITE_TRIGGERS = (
    *_sqlite_triggers("sessions", _SESSION_COLUMNS, own_start=True),
    *_sqlite_triggers("nudges", _NUDGE_COLUMNS, own_start=False),
    *_sqlite_triggers("nudge_offers", _OFFER_COLUMNS, own_start=False),
)

# `report_forget_day` is the one place that knows the lock's key (metrics/rollups.py takes the
# same lock, exclusively, with `pg_try_advisory_xact_lock`).
POSTGRES_TRIGGERS = (
    f"""CREATE FUNCTION report_forget_day(p_site text, p_mode text, p_started_at bigint)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('elnudge.report:' || p_site, 0));
        IF p_started_at IS NOT NULL THEN
            DELETE FROM report_days WHERE site_id = p_site AND mode = p_mode
                AND day = p_started_at / {DAY_MS};
        END IF;
    END $$""",
    """CREATE FUNCTION sessions_report_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM report_forget_day(OLD.site_id, OLD.mode, OLD.started_at);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM report_forget_day(NEW.site_id, NEW.mode, NEW.started_at);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION session_of_report_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM report_forget_day(OLD.site_id, OLD.mode, (SELECT started_at FROM sessions
                WHERE site_id = OLD.site_id AND session_id = OLD.session_id));
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM report_forget_day(NEW.site_id, NEW.mode, (SELECT started_at FROM sessions
                WHERE site_id = NEW.site_id AND session_id = NEW.session_id));
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER sessions_report AFTER INSERT OR UPDATE OF {_SESSION_COLUMNS} OR DELETE
    ON sessions FOR EACH ROW EXECUTE FUNCTION sessions_report_forget()""",
    f"""CREATE TRIGGER nudges_report AFTER INSERT OR UPDATE OF {_NUDGE_COLUMNS} OR DELETE
    ON nudges FOR EACH ROW EXECUTE FUNCTION session_of_report_forget()""",
    f"""CREATE TRIGGER nudge_offers_report AFTER INSERT OR UPDATE OF {_OFFER_COLUMNS} OR DELETE
    ON nudge_offers FOR EACH ROW EXECUTE FUNCTION session_of_report_forget()""",
)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("sessions", "nudges", "nudge_offers"):
            op.execute(f"DROP TRIGGER {table}_report ON {table}")
        for function in ("sessions_report_forget", "session_of_report_forget"):
            op.execute(f"DROP FUNCTION {function}()")
        op.execute("DROP FUNCTION report_forget_day(text, text, bigint)")
    else:
        for table in ("sessions", "nudges", "nudge_offers"):
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER {table}_report_{suffix}")
    for table in ("report_slot_credits", "report_slot_types", "report_slots", "report_days"):
        op.drop_table(table)
