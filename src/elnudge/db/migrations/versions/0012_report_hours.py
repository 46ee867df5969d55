"""The report's rollups are kept per UTC hour instead of per UTC day, and keep every credit.

- `report_hours` replaces `report_days`: a write forgets the hour its session started in, not
  the whole day, so a read counts from the rows only the last hour or two and whatever changed
  (today was counted whole on every read before: 145 ms of a big store's Overview).
- `report_slots`, `report_slot_types` and `report_slot_credits` belong to their hour
  (`hour` instead of `day`, ON DELETE CASCADE as before).
- `report_slot_credits` keeps every (purchase, session start) credit, not one per purchase and
  day: a purchase credited by two sessions of one day (a shopper's two tabs) broke its primary
  key, and a read of part of a day must find the credit of the sessions it reads. A read adds
  them up in SQL, each purchase once, with its earliest credit (metrics/rollups.py).
- The triggers of 0011 are replaced by the same triggers deleting the hour's row; on PostgreSQL
  `report_forget_hour` takes the site's report lock shared first, as `report_forget_day` did.

The rollups are derived counts: the old ones are dropped, nothing is carried over, and hours are
counted again when a report first reads them.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

HOUR_MS = 3_600_000
_KEY = ["site_id", "mode", "hour"]
_TABLES = ("report_slot_credits", "report_slot_types", "report_slots")


def _load_0011() -> ModuleType:
    """Migration 0011, whose triggers this one rewrites and whose schema its downgrade restores
    (a revision's file name starts with a digit: it is loaded by path)."""
    path = Path(__file__).with_name("0011_report_rollups.py")
    spec = importlib.util.spec_from_file_location("elnudge_migration_0011", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_0011 = _load_0011()


def upgrade() -> None:
    _0011.downgrade()  # its triggers and rollup tables
    op.create_table(
        "report_hours",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("hour", sa.BigInteger(), nullable=False),
        sa.Column("counted_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, name="pk_report_hours"),
    )
    op.create_table(
        "report_slots",
        *_hour_columns(),
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
        _of_hour("report_slots"),
    )
    op.create_table(
        "report_slot_types",
        *_hour_columns(),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("shown", sa.Integer(), nullable=False),
        sa.Column("clicked", sa.Integer(), nullable=False),
        sa.Column("dismissed", sa.Integer(), nullable=False),
        sa.Column("chat_opened", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("conversions", sa.Integer(), nullable=False),
        sa.Column("influenced_conversions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, "slot", "type", name="pk_report_slot_types"),
        _of_hour("report_slot_types"),
    )
    op.create_table(
        "report_slot_credits",
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("hour", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, "event_id", "started_at", name="pk_report_slot_credits"),
        _of_hour("report_slot_credits"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _0011.POSTGRES_TRIGGERS if postgres else _0011.SQLITE_TRIGGERS:
        op.execute(_by_hour(statement))


def _by_hour(statement: str) -> str:
    """One of 0011's trigger statements, forgetting the session's hour instead of its day."""
    changed = (
        statement.replace("report_forget_day", "report_forget_hour")
        .replace("report_days", "report_hours")
        .replace("AND day = ", "AND hour = ")
        .replace(f" / {_0011.DAY_MS}", f" / {HOUR_MS}")
    )
    assert " day " not in changed and str(_0011.DAY_MS) not in changed, changed
    return changed


def _hour_columns() -> list[sa.Column[int] | sa.Column[str]]:
    return [
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("hour", sa.BigInteger(), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=False),
    ]


def _of_hour(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        _KEY,
        [f"report_hours.{column}" for column in _KEY],
        ondelete="CASCADE",
        name=f"fk_{table}_report_hours",
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("sessions", "nudges", "nudge_offers"):
            op.execute(f"DROP TRIGGER {table}_report ON {table}")
        for function in ("sessions_report_forget", "session_of_report_forget"):
            op.execute(f"DROP FUNCTION {function}()")
        op.execute("DROP FUNCTION report_forget_hour(text, text, bigint)")
    else:
        for table in ("sessions", "nudges", "nudge_offers"):
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER {table}_report_{suffix}")
    for table in (*_TABLES, "report_hours"):
        op.drop_table(table)
    _0011.upgrade()
