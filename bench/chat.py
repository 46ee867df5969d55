"""`bench/run chat sqlite` (or `postgres`) — the chat's knowledge search over a knowledge base
of realistic size, and the relay's message round trip, against a floor from the same run.

The knowledge base: the demo store's entries and catalogue plus `--generated` (5,000) more,
half FAQ entries and half products, from a fixed seed, in a fresh database (a file under
bench/.data, or the `elnudge_bench_chat` PostgreSQL database), so no `generate` run is needed.
The questions are the 30 of the knowledge evaluation set (tests/knowledge/evaluation.csv).
The tables are ANALYZEd after the fill: without statistics, PostgreSQL scans the site's rows by
primary key and computes every entry's `tsvector` (193 ms for one broad question, seen once)
instead of using the GIN index (31 ms).

- **search**: `knowledge.search.best_match` per question (the backend's full-text candidates,
  SQLite FTS5 or PostgreSQL `tsvector`, then the scorer);
- **floor**: the candidates query alone, elNudge's exact SQL by the raw driver (stdlib sqlite3,
  psycopg 3) on one warm connection: what any full-text answer must at least do;
- **relay_json** and **relay_events**: `POST /v1/relay/messages` in process (TestClient),
  knowledge responder, answered whole and streamed as server-sent events: checks, the stored
  question, the search, the stored answer.

Each is run `--warmup` times, then timed `--runs` times; p50/p90/max in milliseconds.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import cycle
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient

from bench.machine import machine
from bench.report import save, timed
from bench.targets import BENCH_DIR, DATA_DIR, PG_ADMIN_URL
from elnudge.app import create_app
from elnudge.config import Settings
from elnudge.db import Database, create_database, dialect
from elnudge.db.migrate import upgrade
from elnudge.db.tables import products
from elnudge.knowledge.demo import add_demo_catalogue, add_demo_knowledge
from elnudge.knowledge.search import MAX_QUESTION_WORDS, best_match
from elnudge.knowledge.service import Entry, add_entries
from elnudge.knowledge.words import plain_words, search_words
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import build_runtime
from elnudge.timestamps import format_timestamp_ms

EVALUATION = BENCH_DIR.parent / "tests" / "knowledge" / "evaluation.csv"
PG_DATABASE = "elnudge_bench_chat"
SESSION = "ses_bench_chat"
_TOPICS = ["laces", "insoles", "gift cards", "orders", "trail shoes", "socks", "warranty", "rain"]
_VERBS = ["change", "clean", "track", "cancel", "combine", "repair", "reserve", "split"]
_ADJECTIVES = ["Swift", "Ridge", "Cloud", "Tempo", "Summit", "Canyon", "Harbor", "Aurora"]
_NOUNS = ["Runner", "Trainer", "Racer", "Hiker", "Walker", "Sprinter", "Glide", "Strider"]


def generated_entries(rng: random.Random, count: int) -> list[Entry]:
    """FAQ entries in the shape of a store's: a question and a two-sentence answer."""
    entries = []
    for index in range(count):
        topic, verb = rng.choice(_TOPICS), rng.choice(_VERBS)
        title = f"Can I {verb} my {topic}? (#{index})"
        body = (
            f"Yes, you can {verb} {topic} from your account within {rng.randint(2, 60)} days. "
            f"Ask our {rng.choice(_ADJECTIVES).lower()} team for help with item {index}."
        )
        entries.append(Entry("faq", title, body, f"/pages/faq-{index}"))
    return entries


def generated_products(rng: random.Random, site_id: str, count: int, now_ms: int) -> list[Any]:
    return [
        {
            "site_id": site_id,
            "mode": "live",
            "product_id": f"gen-{index}",
            "name": f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {index}",
            "price": round(rng.uniform(20, 250), 2),
            "currency": "USD",
            "stock": rng.randint(0, 40),
            "url": f"/products/gen-{index}",
            "last_viewed_at": now_ms,
        }
        for index in range(count)
    ]


def fresh_database(backend: str) -> str:
    """The URL of an empty, migrated database for this run."""
    if backend == "postgres":
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {PG_DATABASE}")
        return f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}"
    DATA_DIR.mkdir(exist_ok=True)
    path = DATA_DIR / "chat.db"
    for stale in DATA_DIR.glob("chat.db*"):
        stale.unlink()
    return f"sqlite:///{path}"


def fill(database: Database, generated: int, now_ms: int) -> CreatedSite:
    rng = random.Random(20261202)
    with database.write() as connection:
        site = create_site(connection, name="Chat bench", plan="starter", now_ms=now_ms)
        add_demo_knowledge(connection, site.site_id, now_ms)
        add_demo_catalogue(connection, site.site_id, now_ms)
        add_entries(connection, site.site_id, generated_entries(rng, generated // 2), now_ms)
        rows = generated_products(rng, site.site_id, generated - generated // 2, now_ms)
        keys = ("site_id", "mode", "product_id")
        dialect.upsert_newer(connection, products, rows, keys=keys, newer="last_viewed_at")
    with database.write() as connection:  # statistics, as autovacuum would have them by now
        connection.exec_driver_sql("ANALYZE")
    return site


def floor(backend: str, url: str, site_id: str, questions: list[str]) -> Callable[[], object]:
    """The candidates query of db/dialect.py, as its text, by the raw driver."""
    statement = dialect.knowledge_statement(backend)
    words = [search_words(" ".join(plain_words(q)[:MAX_QUESTION_WORDS])) for q in questions]
    queries = cycle(dialect.knowledge_query(backend, each) for each in words)
    params = {"site_id": site_id, "mode": "live", "limit": 20}
    if backend == "postgres":
        pg = psycopg.connect(url, autocommit=True)
        text = re.sub(r":(\w+)", r"%(\1)s", statement)
        return lambda: pg.execute(text, {**params, "query": next(queries)}).fetchall()
    lite = sqlite3.connect(url.removeprefix("sqlite:///"), check_same_thread=False)
    return lambda: lite.execute(statement, {**params, "query": next(queries)}).fetchall()


def relay(client: TestClient, site: CreatedSite, streamed: bool) -> Callable[[], object]:
    questions = cycle(read_questions())
    headers = {"content-type": "text/plain", "origin": "https://shop.example"}
    if streamed:
        headers["accept"] = "text/event-stream"

    def send() -> object:
        body = {"site_key": site.site_key_live, "session_id": SESSION, "text": next(questions)}
        response = client.post("/v1/relay/messages", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.content

    return send


def read_questions() -> list[str]:
    with EVALUATION.open(encoding="utf-8") as handle:
        return [row["question"] for row in csv.DictReader(handle)]


def searches(database: Database, site_id: str) -> Iterator[Callable[[], object]]:
    questions = cycle(read_questions())
    with database.read() as connection:
        yield lambda: best_match(connection, site_id, "live", next(questions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("backend", choices=["sqlite", "postgres"])
    parser.add_argument("--generated", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    url = fresh_database(args.backend)
    settings = Settings(
        database_url=url,
        migrate_on_start=False,
        chat_session_rate_limit_per_minute=1_000_000,
        chat_client_rate_limit_per_minute=1_000_000,
        relay_rate_limit_per_minute=1_000_000,
    )
    database = create_database(url)
    upgrade(database)
    runtime = build_runtime(settings, database=database)
    site = fill(database, args.generated, runtime.clock.now_ms())
    results: dict[str, Any] = {
        "backend": args.backend,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
        "knowledge_entries_and_products": args.generated,
        "questions": len(read_questions()),
    }
    for search in searches(database, site.site_id):
        results["search"] = timed(search, args.warmup, args.runs)
    raw = floor(args.backend, url, site.site_id, read_questions())
    results["floor"] = timed(raw, args.warmup, args.runs)
    with TestClient(create_app(runtime=runtime)) as client:
        now = format_timestamp_ms(runtime.clock.now_ms())
        event = {"session_id": SESSION, "event": "PAGE_VIEW", "url": "/", "ts": now}
        sent = client.post("/v1/relay", json={"site_key": site.site_key_live, "events": [event]})
        assert sent.status_code == 200, sent.text
        for name, streamed in (("relay_json", False), ("relay_events", True)):
            results[name] = timed(relay(client, site, streamed), args.warmup, args.runs)
    results["search_vs_floor"] = round(
        results["search"]["p50_ms"] / max(results["floor"]["p50_ms"], 0.001), 1
    )
    database.dispose()
    save(results, f"chat-{args.backend}")


if __name__ == "__main__":
    main()
