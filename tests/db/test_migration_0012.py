"""Migration 0012 (rollups per hour) replaces 0011's per-day tables and triggers, on both
backends: after it, a write forgets the stored hour of its session; its downgrade restores
0011's days and their triggers."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, column, insert, inspect, select, table

from elnudge.db import create_database
from elnudge.db.migrate import alembic_config, upgrade
from elnudge.db.tables import sessions  # as 0011 and 0012 leave it

SITE = "site_01HY8QVZK3MN2PXRT5GW4JCBD0"
STARTED_AT = 1_777_000_000_000  # a session's start
HOUR_MS, DAY_MS = 3_600_000, 86_400_000

_sites = table(
    "sites", column("site_id"), column("name"), column("plan"), column("cursor_secret"),
    column("created_at"),
)  # fmt: skip


def _stored(engine: Engine, unit: str) -> list[int]:
    rollup = table(f"report_{unit}s", column(unit))
    with engine.connect() as connection:
        return list(connection.execute(select(rollup.c[unit])).scalars())


def _store(engine: Engine, unit: str, numbers: list[int]) -> None:
    rollup = table(
        f"report_{unit}s", column("site_id"), column("mode"), column(unit), column("counted_at")
    )
    with engine.begin() as connection:
        connection.execute(
            insert(rollup),
            [{"site_id": SITE, "mode": "live", unit: n, "counted_at": 1} for n in numbers],
        )


def _new_session(engine: Engine, number: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(sessions).values(
                site_id=SITE,
                session_id=f"sess_{number:026d}",
                mode="live",
                client_key=f"k{number}",
                started_at=STARTED_AT,
                ended_at=STARTED_AT,
                page_count=1,
                intent_score=0,
                converted=False,
                nudge_count=0,
                event_count=1,
            )
        )


def test_0012_keeps_rollups_per_hour_and_downgrades_to_days(fresh_database_url: str) -> None:
    database = create_database(fresh_database_url)
    engine = database.engine
    try:
        upgrade(database, "0011")
        with engine.begin() as connection:
            connection.execute(
                insert(_sites).values(
                    site_id=SITE, name="Old", plan="starter", cursor_secret="s", created_at=1
                )
            )
        _store(engine, "day", [STARTED_AT // DAY_MS])
        upgrade(database)
        tables = set(inspect(engine).get_table_names())
        assert "report_hours" in tables and "report_days" not in tables
        hour = STARTED_AT // HOUR_MS
        _store(engine, "hour", [hour - 1, hour, hour + 1])
        _new_session(engine, 1)
        assert _stored(engine, "hour") == [hour - 1, hour + 1]  # only its own hour forgotten

        command.downgrade(alembic_config(database), "0011")
        tables = set(inspect(engine).get_table_names())
        assert "report_days" in tables and "report_hours" not in tables
        _store(engine, "day", [STARTED_AT // DAY_MS])
        _new_session(engine, 2)
        assert _stored(engine, "day") == []  # 0011's triggers are back
    finally:
        database.dispose()
