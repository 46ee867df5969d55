"""The floor server: the smallest honest ASGI app serving elNudge's four read routes.

It does what a request of `GET /v1/sessions` and `GET /v1/sessions/{id}` has to do and nothing
more: the key check (shape, checksum, SHA-256, the hashed-key SELECT), the cursor (decoded and
signed by elNudge's own functions), elNudge's exact statements (captured from its repository
by bench/queries.py) through the same driver (sqlite3 / psycopg 3, one connection per worker,
queries inline on the event loop as elNudge's routes run them, in autocommit: a session is one
statement), the same objects (a session by elNudge's own
`session_object`) encoded by the same encoder (orjson).
No framework, no validation models, no middleware, no request ids. Served by the same HTTP
server as `elnudge serve` (bench/servers.py). issue 15: elNudge's p50 within 1.5× of it, and
its saturated throughput at least 0.7× of it.

Run: BENCH_FLOOR_DATABASE_URL=sqlite:///... python -m bench.serve_floor --port 8001 --workers 2
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

import orjson
import psycopg

from bench.queries import Statement, floor_statements
from elnudge import ids
from elnudge.db import create_database
from elnudge.db.dialect import engine_url
from elnudge.errors import ApiError, InvalidRequest, NotFound, Unauthorized
from elnudge.keys import tokens
from elnudge.keys.service import Principal
from elnudge.pagination import api_window_start, next_cursor, resolve_window
from elnudge.sessions.repository import SESSION_PART
from elnudge.sessions.service import SESSIONS, detail_object, session_object
from elnudge.sites import plans
from elnudge.vocabulary import KeyKind

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

LIST_PARAMS = frozenset({"from", "to", "limit", "cursor"})
PREFIX = "/v1/sessions"
JSON_HEADERS = [(b"content-type", b"application/json")]


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Store:
    """One driver connection (opened on first use, in the worker) and the captured statements."""

    def __init__(self, url: str) -> None:
        database = create_database(url)
        try:
            self.statements = floor_statements(database)
        finally:
            database.dispose()
        self.is_sqlite = url.startswith("sqlite")
        self.url = url
        self._connection: Any = None

    def _connect(self) -> Any:
        if self.is_sqlite:
            path = self.url.removeprefix("sqlite:///")
            # The same settings as elNudge's engine (elnudge/db/dialect.py, configure_sqlite).
            lite = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
                lite.execute(f"PRAGMA {pragma}")
            lite.execute("PRAGMA foreign_keys=ON")
            return lite
        libpq = engine_url(self.url).replace("postgresql+psycopg://", "postgresql://", 1)
        connection = psycopg.connect(libpq, autocommit=True)
        # Applies to `transaction()` blocks only; single statements stay autocommit.
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        return connection

    @property
    def connection(self) -> Any:
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def rows(self, name: str, values: dict[str, object]) -> list[Sequence[Any]]:
        statement: Statement = self.statements[name]
        return self.connection.execute(statement.sql, statement.params(values)).fetchall()  # type: ignore[no-any-return]

    def key_row(self, key_hash: str) -> dict[str, Any] | None:
        statement = self.statements["key"]
        cursor = self.connection.execute(statement.sql, statement.params({"key_hash": key_hash}))
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip((column[0] for column in cursor.description), row, strict=True))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def bearer_token(scope: Scope) -> str:
    found = [value for name, value in scope["headers"] if name == b"authorization"]
    scheme, _, token = (found[0].decode("latin-1") if len(found) == 1 else "").partition(" ")
    if scheme.lower() != "bearer" or not token or token != token.strip():
        raise Unauthorized()
    return token


class Floor:
    """The ASGI app: `/v1/sessions`, `/v1/sessions/{id}` and `/healthz`."""

    def __init__(self, url: str, now_ms: Callable[[], int] = wall_clock_ms) -> None:
        self.store = Store(url)
        self.now_ms = now_ms

    def principal(self, scope: Scope, now_ms: int) -> Principal:
        """The same checks as elnudge.keys.service.authenticate, on the same SELECT."""
        token = bearer_token(scope)
        parsed = tokens.parse_key(token)
        if parsed is None or parsed.kind != KeyKind.SECRET:
            raise Unauthorized()
        row = self.store.key_row(tokens.hash_key(token))
        if row is None or row["revoked_at"] is not None:
            raise Unauthorized()
        if row["expires_at"] is not None and now_ms >= row["expires_at"]:
            raise Unauthorized()
        plan, same = row["plan"], ("site_id", "mode", "key_id", "cursor_secret")
        return Principal(
            plan=plan,
            api_window_days=plans.api_window_days(plan, row["api_window_days"]),
            storage_days=plans.storage_days(plan, row["storage_days"]),
            **{name: row[name] for name in same},
        )

    def list_sessions(self, scope: Scope) -> bytes:
        now_ms = self.now_ms()
        principal = self.principal(scope, now_ms)
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        if unknown := set(query) - LIST_PARAMS:
            raise InvalidRequest("Unknown query parameter.", param=sorted(unknown)[0])
        limit = query.get("limit", "50")
        if not limit.isdigit() or not 1 <= int(limit) <= 200:
            raise InvalidRequest("limit must be an integer from 1 to 200.", param="limit")
        window = resolve_window(
            given_from=query.get("from"),
            given_to=query.get("to"),
            filters={},
            cursor=query.get("cursor"),
            listing=SESSIONS,
            principal=principal,
            now_ms=now_ms,
        )
        values: dict[str, object] = {
            "site_id": principal.site_id,
            "mode": principal.mode,
            "lower_ms": max(window.from_ms, api_window_start(principal, now_ms)),
            "upper_ms": window.to_ms,
            "limit": int(limit) + 1,
        }
        if window.after is not None:
            values["after_ms"], values["after_id"] = window.after
        rows = self.store.rows("first_page" if window.after is None else "next_page", values)
        has_more = len(rows) > int(limit)
        rows = rows[: int(limit)]
        last = (rows[-1][1], rows[-1][0]) if has_more else None
        return orjson.dumps(
            {
                "data": [session_object(row) for row in rows],
                "next_cursor": next_cursor(window, last, SESSIONS, principal),
                "has_more": has_more,
            }
        )

    def get_session(self, scope: Scope, session_id: str) -> bytes:
        now_ms = self.now_ms()
        principal = self.principal(scope, now_ms)
        if scope["query_string"]:
            raise InvalidRequest("This route takes no query parameters.")
        values: dict[str, object] = {
            "site_id": principal.site_id,
            "mode": principal.mode,
            "session_id": session_id,
            "lower_ms": api_window_start(principal, now_ms),
        }
        rows = ids.is_valid_id(session_id, ids.SESSION) and self.store.rows("session", values)
        if not rows or rows[0][0] != SESSION_PART:
            raise NotFound("No such session.", param="id")
        # One statement, as elNudge reads it (sessions/repository.py, session_detail), turned
        # into the same object by elNudge's own code.
        detail = detail_object(rows)
        return orjson.dumps({"data": detail})

    def answer(self, scope: Scope) -> tuple[int, bytes]:
        path: str = scope["path"]
        try:
            if scope["method"] != "GET":
                raise NotFound("No such route.")
            if path == PREFIX:
                return 200, self.list_sessions(scope)
            if path.startswith(PREFIX + "/") and "/" not in path[len(PREFIX) + 1 :]:
                return 200, self.get_session(scope, path[len(PREFIX) + 1 :])
            if path == "/healthz":
                return 200, b'{"status":"ok"}'
            raise NotFound("No such route.")
        except ApiError as error:
            body: dict[str, Any] = {"error": error.code, "message": error.message}
            if error.param is not None:
                body["param"] = error.param
            return error.status, orjson.dumps(body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.store.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        status, body = self.answer(scope)
        headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def app_from_environment() -> Floor:
    """The floor on BENCH_FLOOR_DATABASE_URL (an ELNUDGE_DATABASE_URL), one per worker."""
    return Floor(os.environ["BENCH_FLOOR_DATABASE_URL"])
