"""Migration 0008 (every reaction of a nudge) fills in the flags of stored nudges from their
reaction events, on both backends, and downgrades."""

from __future__ import annotations

import json

from sqlalchemy import column, insert, inspect, select, table

from elnudge.db import create_database
from elnudge.db.migrate import alembic_config, upgrade

SITE = "site_01HY8QVZK3MN2PXRT5GW4JCBD0"
SESSION = "sess_01HY8QVZK3MN2PXRT5GW4JCBD1"

_sites = table(
    "sites",
    column("site_id"),
    column("name"),
    column("plan"),
    column("cursor_secret"),
    column("created_at"),
)
_events = table(
    "events",
    column("site_id"),
    column("event_id"),
    column("mode"),
    column("session_id"),
    column("client_key"),
    column("id_scope"),
    column("type"),
    column("occurred_at"),
    column("url"),
    column("data"),
    column("intent_score"),
    column("received_at"),
)
_nudges = table(
    "nudges", column("site_id"), column("mode"), column("nudge_id"), column("session_id"),
    column("type"), column("shown_at"), column("outcome"), column("influenced_conversion"),
)  # fmt: skip


def _event(number: int, kind: str, nudge_id: str, session_id: str = SESSION) -> dict[str, object]:
    return {
        "site_id": SITE,
        "event_id": f"evt_{number:026d}",
        "mode": "live",
        "session_id": session_id,
        "client_key": "k",
        "id_scope": "secret",
        "type": kind,
        "occurred_at": 1000 + number,
        "url": "/",
        "data": json.dumps({"nudge_id": nudge_id}),
        "intent_score": 0,
        "received_at": 2000,
    }


def test_0008_fills_in_every_reaction_of_stored_nudges(fresh_database_url: str) -> None:
    from alembic import command

    database = create_database(fresh_database_url)
    try:
        upgrade(database, "0006")
        with database.write() as connection:
            connection.execute(
                insert(_sites).values(
                    site_id=SITE, name="Old", plan="starter", cursor_secret="s", created_at=1
                )
            )
            connection.execute(
                insert(_nudges),
                [
                    {
                        "site_id": SITE,
                        "mode": "live",
                        "nudge_id": nudge_id,
                        "session_id": SESSION,
                        "type": "toast",
                        "shown_at": 1000,
                        "outcome": outcome,
                        "influenced_conversion": False,
                    }
                    for nudge_id, outcome in (
                        ("nudg_both", "clicked"),
                        ("nudg_chat", "chat_opened"),
                        ("nudg_none", "shown"),
                    )
                ],
            )
            connection.execute(
                insert(_events),
                [
                    _event(1, "NUDGE_SHOWN", "nudg_both"),
                    _event(2, "NUDGE_CLICKED", "nudg_both"),
                    _event(3, "NUDGE_DISMISSED", "nudg_both"),
                    _event(4, "NUDGE_CHAT_OPENED", "nudg_chat"),
                    # A reaction from another session does not count (as ingestion ignores it).
                    _event(5, "NUDGE_DISMISSED", "nudg_none", "sess_01HY8QVZK3MN2PXRT5GW4JCBD2"),
                ],
            )
        upgrade(database)
        nudges = table(
            "nudges", column("nudge_id"), column("clicked"), column("dismissed"),
            column("chat_opened"),
        )  # fmt: skip
        with database.read() as connection:
            rows = connection.execute(
                select(nudges).where(column("site_id") == SITE).order_by(nudges.c.nudge_id)
            ).all()
        assert [tuple(row) for row in rows] == [
            ("nudg_both", True, True, False),
            ("nudg_chat", False, False, True),
            ("nudg_none", False, False, False),
        ]
        command.downgrade(alembic_config(database), "0006")
        columns = {c["name"] for c in inspect(database.engine).get_columns("nudges")}
        assert not {"clicked", "dismissed", "chat_opened"} & columns
    finally:
        database.dispose()
