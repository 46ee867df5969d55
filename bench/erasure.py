"""`python -m bench.erasure sqlite|postgres` — what erasure costs, in process (no HTTP).

A fresh database with one site of VISITORS identified shoppers, 3 sessions and 18 events each,
ingested through the ingestion service. Measured:
- erasing one visitor (`erase_visitor` in its write transaction), for ERASED visitors, against
  the floor of ingesting one 6-event batch for a new visitor (a write transaction of the same
  site, measured in the same run);
- ingestion with and without the partial index `ix_events_visitor` that erasure needs (the
  same batches into two new sites: first with the index dropped, then with it re-created), as
  the cost of the index on the write path.
Results: bench/results/erasure-<backend>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.machine import machine
from bench.targets import RESULTS_DIR
from elnudge.clock import SystemClock
from elnudge.config import Settings
from elnudge.db.migrate import upgrade
from elnudge.events.service import ingest_request
from elnudge.keys.service import authenticate
from elnudge.privacy.erasure import erase_visitor
from elnudge.provisioning import create_site
from elnudge.runtime import build_runtime
from elnudge.vocabulary import KeyKind

VISITORS = 600
ERASED = 100
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def visitor_batch(visitor: int, start_s: float) -> list[dict[str, Any]]:
    events = []
    for session in range(3):
        for step in range(6):
            ts = datetime.fromtimestamp(start_s + session * 7200 + step * 30, UTC)
            events.append(
                {
                    "session_id": f"ses_{visitor}_{session}",
                    "visitor_id": f"cust_{visitor}",
                    "event": "PAGE_VIEW" if step < 5 else "ADD_TO_CART",
                    "ts": ts.isoformat(),
                    "url": f"https://shop.example/p/{step}",
                    "data": {}
                    if step < 5
                    else {"product_id": "p1", "price": 10.0, "currency": "USD", "quantity": 1},
                }
            )
    return events


def database_url(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'erasure.db'}"
    import psycopg

    name = f"elnudge_bench_erasure_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        return
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("backend", choices=["sqlite", "postgres"])
    backend = parser.parse_args().backend
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(backend, Path(folder))
        runtime = build_runtime(Settings(database_url=url), clock=SystemClock())
        upgrade(runtime.database)
        try:
            result = measure(runtime, backend)
        finally:
            runtime.database.dispose()
            drop_database(url)
    result["machine"] = machine()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"erasure-{backend}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))


def new_principal(runtime: Any, name: str) -> Any:
    now = runtime.clock.now_ms()
    with runtime.database.write() as connection:
        site = create_site(connection, name=name, plan="scale", now_ms=now)
        return authenticate(connection, site.secret_key_live, kind=KeyKind.SECRET, now_ms=now)


def fill(runtime: Any, principal: Any, start_s: float) -> float:
    """Ingest every visitor (one request each); seconds taken."""
    began = time.perf_counter()
    for visitor in range(VISITORS):
        ingest_request(runtime, principal, {"events": visitor_batch(visitor, start_s)})
    return time.perf_counter() - began


def measure(runtime: Any, backend: str) -> dict[str, Any]:
    start_s = time.time() - 5 * 86_400
    principal = new_principal(runtime, "with index")
    fill(runtime, principal, start_s)
    erase_ms, ingest_ms = [], []
    for visitor in range(ERASED):
        began = time.perf_counter()
        with runtime.database.write() as connection:
            erased = erase_visitor(
                connection,
                site_id=principal.site_id,
                mode="live",
                visitor_id=f"cust_{visitor}",
                now_ms=runtime.clock.now_ms(),
            )
        erase_ms.append((time.perf_counter() - began) * 1000)
        assert erased.sessions == 3 and erased.events == 18
        began = time.perf_counter()
        batch = visitor_batch(VISITORS + visitor, start_s)[:6]
        ingest_request(runtime, principal, {"events": batch})
        ingest_ms.append((time.perf_counter() - began) * 1000)
    with runtime.database.write() as connection:
        connection.execute(text("DROP INDEX ix_events_visitor"))
    without_index_s = fill(runtime, new_principal(runtime, "without index"), start_s)
    with runtime.database.write() as connection:
        connection.execute(
            text(
                "CREATE INDEX ix_events_visitor ON events (site_id, mode, visitor_id)"
                " WHERE visitor_id IS NOT NULL"
            )
        )
    # Measured after the run without the index, on a larger table: any bias is against it.
    with_index_s = fill(runtime, new_principal(runtime, "with index again"), start_s)
    return {
        "backend": backend,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": f"python -m bench.erasure {backend}",
        "visitors": VISITORS,
        "erase_one_visitor_ms_median": round(statistics.median(erase_ms), 2),
        "ingest_6_events_ms_median": round(statistics.median(ingest_ms), 2),
        "erase_vs_ingest_ratio": round(
            statistics.median(erase_ms) / statistics.median(ingest_ms), 2
        ),
        "ingest_18_events_with_index_ms": round(with_index_s * 1000 / VISITORS, 2),
        "ingest_18_events_without_index_ms": round(without_index_s * 1000 / VISITORS, 2),
        "index_cost_ratio": round(with_index_s / without_index_s, 3),
    }


if __name__ == "__main__":
    main()
