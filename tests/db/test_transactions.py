"""What `Database.read()`, `write()` and `autocommit()` promise about transactions."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Connection

from elnudge.db import Database


def _transaction_marker(connection: Connection) -> object:
    """Something that stays the same within one transaction and changes between two."""
    if connection.dialect.name == "postgresql":
        return connection.exec_driver_sql("SELECT txid_current()").scalar_one()
    return connection.connection.driver_connection.in_transaction  # type: ignore[union-attr]


def test_read_holds_one_transaction_and_autocommit_none(database: Database) -> None:
    with database.read() as connection:
        first, second = _transaction_marker(connection), _transaction_marker(connection)
        assert first == second and first is not False
    with database.autocommit() as connection:
        first, second = _transaction_marker(connection), _transaction_marker(connection)
        assert first != second or first is False


def test_autocommit_sends_nothing_but_the_statements(database: Database) -> None:
    """No BEGIN/COMMIT round trips, and (SQLite) no PRAGMA to reset an isolation level."""
    sent: list[str] = []
    with database.autocommit() as warm:  # the pool's first connection runs its PRAGMAs
        warm.exec_driver_sql("SELECT 1")

    def record(conn: object, cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        for _ in range(2):
            with database.autocommit() as connection:
                connection.exec_driver_sql("SELECT 2").all()
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert sent == ["SELECT 2", "SELECT 2"]
    if database.is_sqlite:
        raw = database.engine.raw_connection()
        traced: list[str] = []
        raw.driver_connection.set_trace_callback(traced.append)  # type: ignore[union-attr]
        raw.close()  # back to the pool, traced: the next checkout is this connection
        with database.autocommit() as connection:
            connection.exec_driver_sql("SELECT 3").all()
        assert traced == ["SELECT 3"]
