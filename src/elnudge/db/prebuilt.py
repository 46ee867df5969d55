"""Core statements compiled once per dialect, then sent to the driver as plain SQL.

SQLAlchemy caches compiled statements, but still builds and processes every row's parameters,
expands IN lists and sets up result metadata on each call; for ingestion's hundreds of rows per
batch that was about a quarter of its time. A prebuilt statement keeps the SQL that SQLAlchemy
compiled and hands the driver plain rows through `exec_driver_sql`, so connection events (and
the test suite's tenant audit) see exactly that SQL. Parameters go to the driver unprocessed:
use these only for columns that need no bind processing (strings, integers, booleans, NULL).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    Select,
    any_,
    bindparam,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, CursorResult, Dialect
from sqlalchemy.sql.expression import ColumnElement, Executable

Params = Mapping[str, Any]
# A row of `PrebuiltIn.fetch_all`: a named tuple of the SELECT's columns (`row.session_id`).
Record = Any


class _Compiled:
    """One statement's SQL and, for positional drivers (sqlite3), its parameter order."""

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        self.sql: str = compiled.string
        self.order: tuple[str, ...] | None = (
            tuple(compiled.positiontup) if dialect.positional else None
        )
        # Values the statement sets itself (a literal, SQLite's `OFFSET 0` after a LIMIT): sent
        # with every call, under the caller's.
        self.fixed: dict[str, Any] = {
            name: bind.value for name, bind in compiled.binds.items() if not bind.required
        }

    def params(self, row: Params) -> Any:
        if self.fixed:
            row = {**self.fixed, **row}
        return row if self.order is None else tuple(row[name] for name in self.order)


class Prebuilt:
    """A statement with named bind parameters, compiled once per dialect."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def execute(self, connection: Connection, row: Params) -> CursorResult[Any]:
        compiled = self._compiled(connection)
        return connection.exec_driver_sql(compiled.sql, compiled.params(row))

    def fetch_all(self, connection: Connection, row: Params) -> list[tuple[Any, ...]]:
        """The statement's rows as plain tuples, in the connection's transaction (if any).

        For the hot reads: fetched on the driver's own cursor, since SQLAlchemy's result
        objects cost more than the query itself (bench/RESULTS.md, "Read path, in process").
        The statement is announced to `before_cursor_execute` and `after_cursor_execute`
        listeners as SQLAlchemy would (logging, the tenant audit). A driver error sends the
        statement again through SQLAlchemy, so that its handling applies as for any other
        statement (a lost connection invalidates the pool; the error is wrapped as usual):
        only for reads, which are safe to repeat."""
        compiled = self._compiled(connection)
        params = compiled.params(row)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        dispatch = connection.dispatch
        try:
            dispatch.before_cursor_execute(connection, cursor, compiled.sql, params, None, False)
            cursor.execute(compiled.sql, params)
            dispatch.after_cursor_execute(connection, cursor, compiled.sql, params, None, False)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        except connection.dialect.loaded_dbapi.Error:
            return [tuple(found) for found in connection.exec_driver_sql(compiled.sql, params)]
        finally:
            cursor.close()
        return rows

    def execute_many(self, connection: Connection, rows: Sequence[Params]) -> None:
        if rows:
            compiled = self._compiled(connection)
            connection.exec_driver_sql(compiled.sql, [compiled.params(row) for row in rows])


# Values per statement: well under every backend's parameter limit (SQLite's IN lists).
IN_CHUNK = 512
# The one parameter that carries the list on PostgreSQL.
_ARRAY = "in_values"

Member = Callable[[ColumnElement[Any]], ColumnElement[bool]]


class PrebuiltIn:
    """A statement that matches one column against a list of values, compiled once per dialect
    (and on SQLite per list length).

    `build` gets `member`, which makes the match: `member(events.c.session_id)`. On PostgreSQL
    the whole list is one array parameter, so every length shares one statement, which psycopg
    parses once and the server prepares once (an IN list of more than 50 parameters was parsed
    anew by psycopg on every call: 5% of ingestion's Python time, bench/RESULTS.md). A SELECT
    probes its indexes once per listed value: it is run in a `LATERAL` subquery for each value of
    `unnest` of the array, whatever the table's statistics say. As `column = ANY(array)`, a
    table never analysed had the server scan all of a site's rows instead (docs/ingestion.md,
    "Lists probe by value"). A DELETE keeps `= ANY(array)`. SQLite has no arrays: there it is an
    IN list, padded to a power of two by repeating its last value, which an IN ignores, so a
    handful of lengths serve every call.
    """

    def __init__(self, build: Callable[[Member], Executable]) -> None:
        self.build = build
        self._built: dict[tuple[str, int], Prebuilt] = {}
        self._record: Any = None  # the named tuple of a SELECT's rows, made on first use

    def _prepared(
        self, connection: Connection, values: Sequence[Any], params: Params
    ) -> tuple[Prebuilt, Params]:
        if connection.dialect.name == "postgresql":
            # Distinct values: a probe per value would return a repeated value's rows twice.
            return self._prebuilt("postgresql", 0), {**params, _ARRAY: list(dict.fromkeys(values))}
        length = 1 << (len(values) - 1).bit_length()
        padded = [*values, *[values[-1]] * (length - len(values))]
        prebuilt = self._prebuilt(connection.dialect.name, length)
        return prebuilt, {**params, **{f"in_{i}": value for i, value in enumerate(padded)}}

    def _prebuilt(self, dialect: str, length: int) -> Prebuilt:
        """The statement for this dialect and IN-list length (0: one array), built on first use."""
        prebuilt = self._built.get((dialect, length))
        if prebuilt is None:
            statement = _probe_each(self.build) if length == 0 else self.build(_in_list(length))
            prebuilt = self._built[dialect, length] = Prebuilt(statement)
        return prebuilt

    def execute(
        self, connection: Connection, values: Sequence[Any], **params: Any
    ) -> CursorResult[Any]:
        """Run with `values` (not empty) as the list and `params` as the other parameters."""
        prebuilt, all_params = self._prepared(connection, values, params)
        return prebuilt.execute(connection, all_params)

    def fetch_all(
        self, connection: Connection, values: Sequence[Any], **params: Any
    ) -> list[Record]:
        """Every row for `values` of any length (empty included), IN_CHUNK values at a time, as
        named tuples (`row.session_id`), fetched on the driver's cursor (`Prebuilt.fetch_all`):
        SQLAlchemy's result objects were a tenth of ingestion's time."""
        rows: list[Record] = []
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start : start + IN_CHUNK]
            prebuilt, all_params = self._prepared(connection, chunk, params)
            if self._record is None:
                self._record = _record_of(prebuilt.statement)
            rows.extend(map(self._record._make, prebuilt.fetch_all(connection, all_params)))
        return rows

    def execute_all(self, connection: Connection, values: Sequence[Any], **params: Any) -> None:
        """Run for `values` of any length (empty included), IN_CHUNK values at a time."""
        for start in range(0, len(values), IN_CHUNK):
            self.execute(connection, values[start : start + IN_CHUNK], **params)


def _probe_each(build: Callable[[Member], Executable]) -> Executable:
    """PostgreSQL's statement: a SELECT run once per value of the array, as
    `unnest(array) AS listed(value) JOIN LATERAL (… WHERE column = listed.value … OFFSET 0)`
    (the `OFFSET 0` keeps the planner from flattening it into a join it might hash); anything
    else with `column = ANY(array)`."""
    listed: list[Any] = []  # made by `member`, which knows the column's type

    def member(column: ColumnElement[Any]) -> ColumnElement[bool]:
        array = bindparam(_ARRAY, type_=ARRAY(column.type))
        values = func.unnest(array).table_valued(sql_column("value", column.type))
        alias = values.render_derived().alias("listed")
        listed.append(alias)
        match: ColumnElement[bool] = column == alias.c.value
        return match

    statement = build(member)
    if not isinstance(statement, Select):
        return build(_any_of_array)
    matched = statement.offset(literal_column("0")).lateral("matched")
    return select(*matched.c).select_from(listed[0]).join(matched, true())


def _any_of_array(column: ColumnElement[Any]) -> ColumnElement[bool]:
    return column == any_(bindparam(_ARRAY, type_=ARRAY(column.type)))


def _in_list(length: int) -> Member:
    binds: list[BindParameter[Any]] = [bindparam(f"in_{index}") for index in range(length)]
    return lambda column: column.in_(binds)


def _record_of(statement: Executable) -> Any:
    if not isinstance(statement, Select):
        raise TypeError("PrebuiltIn.fetch_all runs a SELECT")
    return namedtuple("Record", statement.selected_columns.keys())
