"""Everything that differs between SQLite and PostgreSQL lives here, and nowhere else."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Select, Table, bindparam, event, text
from sqlalchemy.dialects.postgresql import Insert as PostgreSQLInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable
from sqlalchemy.sql.functions import FunctionElement

from elnudge.db.prebuilt import Prebuilt

WRITE_OPTION = "elnudge_write"
AUTOCOMMIT_OPTION = "elnudge_autocommit"


def engine_url(url: str) -> str:
    """Pick our driver: psycopg 3 for PostgreSQL, the stdlib sqlite3 for SQLite."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def autocommit_options(engine: Engine) -> dict[str, object]:
    """Execution options under which each statement is its own transaction.

    PostgreSQL: the driver's autocommit. SQLite: only leave out our BEGIN (below); SQLAlchemy's
    own AUTOCOMMIT level would also run `PRAGMA read_uncommitted = 0` at every check-in."""
    if is_sqlite(engine):
        return {AUTOCOMMIT_OPTION: True}
    return {"isolation_level": "AUTOCOMMIT"}


def snapshot_options(engine: Engine) -> dict[str, object]:
    """Execution options under which a transaction's statements all read one snapshot.

    PostgreSQL's default READ COMMITTED takes a new snapshot per statement: REPEATABLE READ
    (which costs a read-only transaction nothing more) keeps the first. SQLite in WAL mode
    already reads one snapshot per transaction, from its first read."""
    if is_sqlite(engine):
        return {}
    return {"isolation_level": "REPEATABLE READ"}


def configure_sqlite(engine: Engine) -> None:
    """WAL, a generous busy timeout and explicit BEGINs (IMMEDIATE for writers).

    synchronous=NORMAL in WAL mode: a committed transaction survives a crash of the process
    (the kill -9 case) and only the last ones may be lost on power failure — the usual trade
    for a server, documented in the README.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        dbapi_connection.create_aggregate("decimal_total", 1, _DecimalTotal)

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get(AUTOCOMMIT_OPTION, False):
            return  # each statement is its own transaction
        # A writer takes the write lock up front, so it never fails to upgrade a read lock.
        writer = options.get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


class decimal_total(FunctionElement[str]):  # noqa: N801 (an SQL function, named as in SQL)
    """The exact sum of decimals stored as text (amounts exactly as sent), as text: PostgreSQL
    adds them as `numeric`; SQLite, whose SUM would add binary floats, with `_DecimalTotal`."""

    name = "decimal_total"
    inherit_cache = True


@compiles(decimal_total)
def _sqlite_decimal_total(element: decimal_total, compiler: SQLCompiler, **kw: Any) -> str:
    return f"decimal_total({compiler.process(element.clauses, **kw)})"


@compiles(decimal_total, "postgresql")
def _postgresql_decimal_total(element: decimal_total, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(sum(CAST({compiler.process(element.clauses, **kw)} AS numeric)) AS text)"


class _DecimalTotal:
    """SQLite's `decimal_total` aggregate (registered on every connection)."""

    def __init__(self) -> None:
        self.total = Decimal(0)

    def step(self, value: str | None) -> None:
        if value is not None:
            self.total += Decimal(value)

    def finalize(self) -> str:
        return str(self.total)


def connect_args(url: str) -> dict[str, Any]:
    """The driver's connection options. PostgreSQL runs without JIT compilation: elNudge's
    statements are short, and compiling them cost more than it saved (a day's report counts:
    110 ms of JIT in 257 ms, measured by EXPLAIN ANALYZE; bench/RESULTS.md)."""
    if make_url(engine_url(url)).get_backend_name() == "postgresql":
        return {"options": "-c jit=off"}
    return {}


def lock_site_for_ingestion(connection: Connection, site_id: str) -> None:
    """Serialise ingestion per site until the transaction ends.

    SQLite writers are already serialised by BEGIN IMMEDIATE; on PostgreSQL an advisory
    transaction lock keeps two batches from sessionizing the same visitors at once, and from
    racing on the site-wide uniqueness of `event_id` (both modes share it).
    """
    if connection.dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(site_id.encode(), digest_size=8).digest()
    lock_key = int.from_bytes(digest, "big", signed=True)
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})


def can_copy(connection: Connection) -> bool:
    """True when `copy_rows` may be used: PostgreSQL's COPY loads a batch of rows several times
    faster than INSERTs (100 events: about 2 ms against 5 ms, a quarter of the CPU)."""
    return connection.dialect.name == "postgresql"


def copy_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """COPY `rows` (values in `columns` order) into `table`, in the connection's transaction.

    The driver's COPY API bypasses SQLAlchemy's execute, so the statement is announced to
    `before_cursor_execute` listeners (logging, the test suite's tenant audit) by hand."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    connection.dispatch.before_cursor_execute(connection, cursor, statement, rows, None, True)
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def upsert_newer(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    newer: str,
) -> None:
    """Insert `rows` (all with the same keys), or update the stored row with the same `keys`
    when the row's `newer` column is larger than the stored one's (the latest sighting wins, in
    any arrival order)."""
    if not rows:
        return

    def build(statement: Insert) -> Executable:
        return statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: statement.excluded[name] for name in rows[0] if name not in keys},
            where=statement.excluded[newer] > table.c[newer],
        )

    upsert = _upsert(connection, table, tuple(rows[0]), ("newer", tuple(keys), newer), build)
    upsert.execute_many(connection, rows)


def upsert_add(
    connection: Connection, table: Table, row: dict[str, Any], *, keys: Sequence[str], add: str
) -> Mapping[str, Any]:
    """Insert `row`, or add its `add` column to the stored row with the same `keys`; the row
    as stored afterwards, in the same round trip (RETURNING, SQLite 3.35+)."""

    def build(statement: Insert) -> Executable:
        return statement.on_conflict_do_update(
            index_elements=list(keys), set_={add: table.c[add] + statement.excluded[add]}
        ).returning(*table.c)

    upsert = _upsert(connection, table, tuple(row), ("add", tuple(keys), add), build)
    return dict(upsert.execute(connection, row).mappings().one())


Insert = SQLiteInsert | PostgreSQLInsert
# (dialect, table, columns, what the upsert does) -> the statement, compiled once: ingestion
# runs three upserts per batch, and building them took a tenth of its time.
_UPSERTS: dict[tuple[Any, ...], Prebuilt] = {}


def _upsert(
    connection: Connection,
    table: Table,
    columns: tuple[str, ...],
    kind: tuple[Any, ...],
    build: Callable[[Insert], Executable],
) -> Prebuilt:
    key = (connection.dialect.name, table.name, columns, kind)
    upsert = _UPSERTS.get(key)
    if upsert is None:
        insert = sqlite_insert if is_sqlite(connection.engine) else postgresql_insert
        values: dict[str, Any] = {name: bindparam(name) for name in columns}
        upsert = _UPSERTS[key] = Prebuilt(build(insert(table).values(values)))
    return upsert


def skip_locked(query: Select[Any], connection: Connection) -> Select[Any]:
    """`query` locking its rows for this transaction and skipping rows another transaction has
    locked (PostgreSQL's FOR UPDATE SKIP LOCKED), so concurrent workers take disjoint rows.
    SQLite has one writer at a time (BEGIN IMMEDIATE), which gives the same guarantee."""
    if connection.dialect.name != "postgresql":
        return query
    return query.with_for_update(skip_locked=True)


# -- full-text search (the chat's knowledge responder) -------------------------------------------

# What migration 0010 builds for full-text search outside the tables' declarations (an FTS5
# table and its shadow tables on SQLite, expression indexes on PostgreSQL): schema comparisons
# leave them out, since SQLAlchemy tables cannot declare them.
_FTS_TABLE = "knowledge_fts"
FULL_TEXT_OBJECTS = frozenset(
    {
        _FTS_TABLE,
        *(f"{_FTS_TABLE}_{part}" for part in ("data", "idx", "content", "docsize", "config")),
        "ix_knowledge_entries_fulltext",
        "ix_products_fulltext",
    }
)

_SQLITE_CANDIDATES = text(
    f"SELECT kind, ref FROM {_FTS_TABLE} WHERE {_FTS_TABLE} MATCH :query"
    " AND site_id = :site_id AND mode IN ('', :mode)"
    f" ORDER BY bm25({_FTS_TABLE}) LIMIT :limit"
)
# The expressions are those of the GIN indexes, so that PostgreSQL uses them.
_POSTGRES_CANDIDATES = text(
    "(SELECT kind, entry_id AS ref, ts_rank(to_tsvector('english', title || ' ' || body), q)"
    " AS rank FROM knowledge_entries, to_tsquery('english', :query) q"
    " WHERE site_id = :site_id AND to_tsvector('english', title || ' ' || body) @@ q"
    " ORDER BY rank DESC LIMIT :limit)"
    " UNION ALL "
    "(SELECT 'product', product_id, ts_rank(to_tsvector('english', coalesce(name, '')), q)"
    " FROM products, to_tsquery('english', :query) q"
    " WHERE site_id = :site_id AND mode = :mode"
    " AND to_tsvector('english', coalesce(name, '')) @@ q ORDER BY 3 DESC LIMIT :limit)"
)


def knowledge_candidates(
    connection: Connection, *, site_id: str, mode: str, words: Sequence[str], limit: int
) -> list[tuple[str, str]]:
    """(kind, ref) of knowledge entries and products that share a word with `words`, best
    first by the backend's own ranking: FTS5's bm25 on SQLite, ts_rank on PostgreSQL (both
    stem English). `words` must be plain letters and digits: they become an OR query."""
    if not words:
        return []
    backend = connection.dialect.name
    statement = _SQLITE_CANDIDATES if backend == "sqlite" else _POSTGRES_CANDIDATES
    params = {"query": knowledge_query(backend, words), "site_id": site_id, "mode": mode}
    return [(row[0], row[1]) for row in connection.execute(statement, {**params, "limit": limit})]


def knowledge_query(backend: str, words: Sequence[str]) -> str:
    """The full-text query of `words` (any of them) in the backend's syntax."""
    if backend == "sqlite":
        return " OR ".join(f'"{word}"' for word in words)
    return " | ".join(words)


def knowledge_statement(backend: str) -> str:
    """The candidates query's SQL (`:name` parameters), for the benchmark's raw-driver floor."""
    return (_SQLITE_CANDIDATES if backend == "sqlite" else _POSTGRES_CANDIDATES).text
