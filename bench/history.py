"""`bench/run history sqlite|postgres` — in-process ingestion into a site that already has history.

Seven simulated days of one store (600 sessions a day) in time order, 100 events per batch
through the same validation and ingestion functions as `POST /v1/events`: the first six days are
loaded unmeasured (PostgreSQL is then analysed, as autovacuum would; SQLite, which never
gathers statistics by itself, is not), then the seventh day is timed. This isolates the
ingestion service from HTTP, and shows whether its cost grows with the site's stored history.
Besides events/s it reports this process's CPU time per event and the statements per batch.
`--no-analyze` skips the analysis: the seventh day then meets tables without statistics, as on a
server whose autovacuum is off or has not run yet (both loads report their events/s).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy

from bench.generate import recreate
from bench.machine import machine
from bench.targets import Target
from elnudge.config import Settings
from elnudge.db import Database, create_database
from elnudge.db.migrate import upgrade
from elnudge.events.batch import validate_batch
from elnudge.events.service import ingest
from elnudge.keys.service import Principal, authenticate
from elnudge.provisioning import create_site
from elnudge.simulate import simulate_sessions
from elnudge.timestamps import parse_timestamp
from elnudge.vocabulary import KeyKind

NOW = parse_timestamp("2026-05-01T12:00:00Z")
MEASURED_FROM = "2026-04-30"


def _feed(database: Database, principal: Principal, events: list[dict[str, Any]]) -> None:
    settings = Settings()
    for start in range(0, len(events), 100):
        batch = validate_batch({"events": events[start : start + 100]}, principal, settings, NOW)
        with database.write() as connection:
            ingest(connection, site_id=principal.site_id, mode="live", batch=batch, now_ms=NOW)


def run(backend: str, *, analyze: bool = True) -> dict[str, Any]:
    target = Target(backend=backend, name="history")
    recreate(target)
    database = create_database(target.url)
    upgrade(database)
    with database.write() as connection:
        site = create_site(connection, name="History", plan="starter", now_ms=NOW)
        principal = authenticate(connection, site.secret_key_live, kind=KeyKind.SECRET, now_ms=NOW)
    start = datetime(2026, 4, 24, tzinfo=UTC)
    sessions = simulate_sessions(seed=5, start=start, days=7, sessions_per_day=600)
    events = sorted((e for s in sessions for e in s.events), key=lambda e: str(e["ts"]))
    cut = next(i for i, event in enumerate(events) if str(event["ts"]) >= MEASURED_FROM)
    began = time.perf_counter()
    _feed(database, principal, events[:cut])
    loaded_in = time.perf_counter() - began
    autovacuum = None
    if backend == "postgres":  # whether the server analyses by itself as tables grow
        with database.write() as connection:
            autovacuum = connection.exec_driver_sql("SHOW autovacuum").scalar_one()
            if analyze:  # as autovacuum would; SQLite never gathers statistics by itself
                connection.exec_driver_sql("ANALYZE")
    statements: Counter[str] = Counter()
    sqlalchemy.event.listen(database.engine, "before_cursor_execute", _counter(statements))
    began, began_cpu = time.perf_counter(), time.process_time()
    _feed(database, principal, events[cut:])
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    database.dispose()
    measured = len(events) - cut
    batches = -(-measured // 100)
    return {
        "analyzed": analyze and backend == "postgres",
        "autovacuum": autovacuum,
        "stored_before": cut,
        "loaded_per_s": round(cut / loaded_in),  # the unmeasured six days
        "events": measured,
        "events_per_s": round(measured / elapsed),
        # This process only (Python, and SQLite's own work); steadier than events/s on a
        # shared machine. PostgreSQL's server CPU is not in it.
        "cpu_us_per_event": round(cpu * 1e6 / measured, 1),
        # Round trips: every statement the measured batches sent (COMMIT not included),
        # then per kind, by the statement's first words.
        "statements_per_batch": round(statements.total() / batches, 2),
        "statements": {sql: round(n / batches, 2) for sql, n in statements.most_common()},
    }


def _counter(statements: Counter[str]) -> Callable[..., None]:
    def count(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        words = " ".join(statement.split())
        statements[words.split(" WHERE ")[0][:80]] += 1

    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("backend", choices=["sqlite", "postgres"])
    parser.add_argument("--no-analyze", action="store_true", help="leave the tables unanalysed")
    arguments = parser.parse_args()
    result = {"backend": arguments.backend, "machine": machine()}
    result.update(run(arguments.backend, analyze=not arguments.no_analyze))
    print(result)


if __name__ == "__main__":
    main()
