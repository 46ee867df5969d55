"""`bench/run read sqlite:1m` — the read path under load, with the peers and the raw floor.

For one database: elNudge (`elnudge serve --workers N`) serving `GET /v1/sessions` at limit 50
and 200, a deep page (100k+ sessions in) and `GET /v1/sessions/{id}`; PostgREST (PostgreSQL) or
Datasette (SQLite) serving the same query; the raw driver running elNudge's exact SQL.
The floor server (bench/floor.py: the same SQL, driver, encoder and HTTP server, no framework)
serves the same four routes, under the same worker count. `--servers uvicorn,granian` runs
elNudge and the floor under each HTTP server in turn. Each HTTP figure: p50/p99 on one
connection (wrk -c1), p99 at a fixed rate (hey -q), and saturation throughput (wrk -c32).
All servers run at once and each scenario is measured on each of them in turn, so that the
machine's drift reaches them alike; `--rounds N` does that N times and keeps each figure's
median (on a shared virtual machine one round's verdicts can flip from run to run).
Results go to bench/results/read-<backend>-<name>.json; the issue-15 ratios are printed (and
shown by `bench/run summary`, bench/ratios.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import psycopg

from bench import httpload, raw, servers
from bench.machine import machine
from bench.queries import list_sql
from bench.ratios import ratio_lines
from bench.targets import RESULTS_DIR, Target, parse_target
from elnudge.db import Database, create_database
from elnudge.keys.service import Principal
from elnudge.pagination import Cursor, encode_cursor
from elnudge.sessions.service import SESSIONS
from elnudge.timestamps import DAY_MS, format_timestamp_ms

DEEP_OFFSET = 100_000
NUDGE_EVENT_TYPES = "(NUDGE_SHOWN,NUDGE_CLICKED,NUDGE_DISMISSED,NUDGE_CHAT_OPENED)"
LIST_FIELDS = "session_id,started_at,ended_at,page_count,intent_score,converted,nudge_count"


@dataclass(frozen=True, slots=True)
class Setup:
    """The big site, its key and window, and the ids the scenarios use."""

    site_id: str
    key: str
    from_ms: int
    to_ms: int
    cursor_secret: str
    deep_position: tuple[int, str]
    detail_id: str


def page_sql(
    database: Database, setup: Setup, *, after: tuple[int, str] | None, limit: int
) -> tuple[str, Any]:
    """The list query of the big site's window, as elNudge sends it to the driver."""
    return list_sql(
        database,
        site_id=setup.site_id,
        mode="live",
        lower_ms=setup.from_ms,
        upper_ms=setup.to_ms,
        after=after,
        limit=limit,
    )


def prepare(target: Target, database: Database, deep_offset: int = DEEP_OFFSET) -> Setup:
    manifest = target.manifest()
    site = manifest["sites"][0]  # type: ignore[index]
    to_ms = int(manifest["generated_at_ms"])  # type: ignore[call-overload]
    from_ms = to_ms - 89 * DAY_MS  # inside the 90-day window of the scale plan
    is_bot = "false" if target.backend == "postgres" else "0"
    with database.engine.connect() as connection:
        deep = connection.exec_driver_sql(
            "SELECT started_at, session_id FROM sessions WHERE site_id = %s AND mode = 'live'"
            f" AND is_bot = {is_bot} AND started_at >= %s AND started_at < %s"
            " ORDER BY started_at DESC, session_id DESC LIMIT 1 OFFSET %s"
            if target.backend == "postgres"
            else "SELECT started_at, session_id FROM sessions WHERE site_id = ? AND mode = 'live'"
            f" AND is_bot = {is_bot} AND started_at >= ? AND started_at < ?"
            " ORDER BY started_at DESC, session_id DESC LIMIT 1 OFFSET ?",
            (site["site_id"], from_ms, to_ms, deep_offset),
        ).one()
        # A session like the seed's: about 20 events and 2 nudges, with its log stored.
        detail = connection.exec_driver_sql(
            "SELECT s.session_id FROM sessions s WHERE s.site_id = %s AND s.mode = 'live'"
            f" AND s.is_bot = {is_bot} AND s.nudge_count = 2 AND s.event_count BETWEEN 18 AND 24"
            " AND EXISTS (SELECT 1 FROM events e WHERE e.site_id = s.site_id"
            " AND e.session_id = s.session_id) ORDER BY s.started_at DESC LIMIT 1"
            if target.backend == "postgres"
            else "SELECT s.session_id FROM sessions s WHERE s.site_id = ? AND s.mode = 'live'"
            f" AND s.is_bot = {is_bot} AND s.nudge_count = 2 AND s.event_count BETWEEN 18 AND 24"
            " AND EXISTS (SELECT 1 FROM events e WHERE e.site_id = s.site_id"
            " AND e.session_id = s.session_id) ORDER BY s.started_at DESC LIMIT 1",
            (site["site_id"],),
        ).scalar_one()
        secret = connection.exec_driver_sql(
            "SELECT cursor_secret FROM sites WHERE site_id = "
            + ("%s" if target.backend == "postgres" else "?"),
            (site["site_id"],),
        ).scalar_one()
    return Setup(
        site_id=site["site_id"],
        key=site["secret_key_live"],
        from_ms=from_ms,
        to_ms=to_ms,
        cursor_secret=secret,
        deep_position=(deep[0], deep[1]),
        detail_id=detail,
    )


def elnudge_paths(setup: Setup) -> dict[str, str]:
    window = {"from": format_timestamp_ms(setup.from_ms), "to": format_timestamp_ms(setup.to_ms)}
    signer = Principal(
        site_id=setup.site_id,
        mode="live",
        key_id="",
        plan="scale",
        api_window_days=90,
        storage_days=365,
        cursor_secret=setup.cursor_secret,
    )
    position = Cursor(setup.deep_position[1], setup.deep_position[0], setup.from_ms, setup.to_ms)
    deep_cursor = encode_cursor(position, SESSIONS, signer)
    return {
        "list_50": "/v1/sessions?" + urlencode({**window, "limit": 50}),
        "list_200": "/v1/sessions?" + urlencode({**window, "limit": 200}),
        "deep_50": "/v1/sessions?" + urlencode({"cursor": deep_cursor, "limit": 50}),
        "get_by_id": f"/v1/sessions/{setup.detail_id}",
    }


def add_postgrest_relationships(target: Target) -> None:
    """PostgREST embeds only along foreign keys; elNudge has none (sharding by site), so the
    bench adds them to its own database, NOT VALID (no scan, no effect on elNudge's reads)."""
    with psycopg.connect(target.libpq_url, autocommit=True) as connection:
        for table in ("events", "nudges"):
            name = f"bench_fk_{table}_session"
            exists = connection.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (site_id, session_id)"
                    " REFERENCES sessions (site_id, session_id) NOT VALID"
                )


def postgrest_paths(setup: Setup) -> dict[str, str]:
    """The same filters, order and limit, in PostgREST's query language."""
    common = (
        f"site_id=eq.{setup.site_id}&mode=eq.live&is_bot=is.false"
        f"&started_at=gte.{setup.from_ms}&started_at=lt.{setup.to_ms}"
        "&order=started_at.desc,session_id.desc"
    )
    detail = (
        f"/sessions?select={LIST_FIELDS},events(type,url,occurred_at),"
        "nudges(nudge_id,type,shown_at,outcome,influenced_conversion)"
        f"&site_id=eq.{setup.site_id}&session_id=eq.{setup.detail_id}&mode=eq.live"
        f"&events.type=not.in.{NUDGE_EVENT_TYPES}&events.order=occurred_at"
        "&nudges.order=shown_at.desc,nudge_id.desc"
    )
    return {
        "list_50": f"/sessions?select={LIST_FIELDS}&{common}&limit=51",
        "list_200": f"/sessions?select={LIST_FIELDS}&{common}&limit=201",
        "get_by_id": detail,
    }


def datasette_paths(target: Target, database: Database, setup: Setup) -> dict[str, str]:
    """Datasette's JSON API running elNudge's exact SQL (named parameters)."""
    paths = {}
    for limit in (50, 200):
        sql, params = page_sql(database, setup, after=None, limit=limit + 1)
        names = iter(("site", "mode", "low", "high", "lim", "off"))
        named = sql
        values = {}
        for value in params:
            name = next(names)
            named = named.replace("?", f":{name}", 1)
            values[name] = value
        query = urlencode({"sql": named, "_shape": "array", **values})
        paths[f"list_{limit}"] = f"/{target.sqlite_path.stem}.json?{query}"
    return paths


def measure(
    base: str, path: str, headers: dict[str, str], seconds: int, rate: int
) -> dict[str, Any]:
    url = base + path
    check = httpx.get(url, headers=headers, timeout=30)
    check.raise_for_status()
    # Warm up first (every worker's pool and prepared statements, the OS page cache), so the
    # first scenario of a run is not charged for it.
    httpload.wrk(url, connections=4, seconds=3, headers=headers)
    return {
        "bytes": len(check.content),
        "one_connection": httpload.wrk(
            url, connections=1, seconds=seconds, headers=headers
        ).as_dict(),
        "fixed_rate": httpload.hey_fixed_rate(
            url, rate=rate, seconds=seconds, headers=headers
        ).as_dict(),
        "saturation": httpload.wrk(
            url, connections=32, seconds=seconds, headers=headers, threads=2
        ).as_dict(),
    }


def raw_floor(target: Target, database: Database, setup: Setup) -> dict[str, Any]:
    floors = {}
    for name, after, limit in (
        ("list_50", None, 51),
        ("list_200", None, 201),
        ("deep_50", setup.deep_position, 51),
    ):
        sql, params = page_sql(database, setup, after=after, limit=limit)
        floors[name] = {"sql": sql, **raw.time_query(target, sql, params)}
    return floors


@dataclass(frozen=True, slots=True)
class Contender:
    """A server the scenarios run on: its key in the result, address, paths and headers."""

    name: str
    running: servers.Running
    paths: dict[str, str]
    headers: dict[str, str]


def start_contenders(
    stack: ExitStack, target: Target, database: Database, setup: Setup, args: argparse.Namespace
) -> list[Contender]:
    """elNudge and the floor under each HTTP server asked for, and the backend's peer, all
    started at once (an idle server costs nothing) so that their measurements can alternate."""
    headers = {"Authorization": f"Bearer {setup.key}"}
    paths = elnudge_paths(setup)
    contenders = []
    for server_name in args.servers.split(","):
        suffix = "" if server_name == "uvicorn" else f"_{server_name}"
        running = stack.enter_context(servers.elnudge(target, args.workers, server=server_name))
        contenders.append(Contender(f"elnudge{suffix}", running, paths, headers))
        if not args.no_floor:
            running = stack.enter_context(servers.floor(target, args.workers, server=server_name))
            contenders.append(Contender(f"floor{suffix}", running, paths, headers))
    if not args.no_peers:
        if target.backend == "postgres":
            add_postgrest_relationships(target)
            running = stack.enter_context(servers.postgrest(target))
            contenders.append(Contender("postgrest", running, postgrest_paths(setup), {}))
        else:
            running = stack.enter_context(servers.datasette(target))
            datasette = datasette_paths(target, database, setup)
            contenders.append(Contender("datasette", running, datasette, {}))
    return contenders


def measure_rounds(
    contenders: list[Contender], rounds: int, seconds: int, rate: int
) -> dict[str, dict[str, Any]]:
    """Each scenario on every contender in turn, `rounds` times over, the contenders' order
    reversed every other round: a scenario's contenders are measured within a minute or two of
    each other, so the machine's drift reaches them alike. With several rounds each figure is
    the median of the rounds (non-2xx answers their sum), and the rounds are kept."""
    taken: dict[str, dict[str, list[dict[str, Any]]]] = {c.name: {} for c in contenders}
    scenarios = list(dict.fromkeys(name for c in contenders for name in c.paths))
    for index in range(rounds):
        for scenario in scenarios:
            for contender in contenders if index % 2 == 0 else contenders[::-1]:
                if scenario in contender.paths:
                    figures = measure(
                        contender.running.base_url,
                        contender.paths[scenario],
                        contender.headers,
                        seconds,
                        rate,
                    )
                    taken[contender.name].setdefault(scenario, []).append(figures)
    return {
        name: {scenario: median_figures(runs) for scenario, runs in by_scenario.items()}
        for name, by_scenario in taken.items()
    }


def median_figures(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One scenario's measurement from its rounds (one round: itself)."""
    if len(runs) == 1:
        return runs[0]
    combined: dict[str, Any] = {"bytes": runs[0]["bytes"]}
    for load in ("one_connection", "fixed_rate", "saturation"):
        combined[load] = {
            key: value if isinstance(value, str) else _across(key, [r[load][key] for r in runs])
            for key, value in runs[0][load].items()
        }
    combined["rounds"] = runs
    return combined


def _across(key: str, values: list[Any]) -> Any:
    return sum(values) if key == "non_2xx" else statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", help="sqlite:NAME or postgres:NAME (made by generate)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=8, help="per load run")
    parser.add_argument("--rate", type=int, default=300, help="requests/s for the fixed-rate run")
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every contender this many times, in turn"
    )
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor server")
    parser.add_argument(
        "--servers",
        default="uvicorn",
        help="HTTP servers for elNudge and the floor, in order: uvicorn, granian or both",
    )
    parser.add_argument("--deep-offset", type=int, default=DEEP_OFFSET)
    parser.add_argument("--label", default="", help="suffix of the result file")
    args = parser.parse_args()
    if not set(args.servers.split(",")) <= set(servers.SERVERS):
        parser.error(f"--servers takes a comma-separated list of {', '.join(servers.SERVERS)}")
    if args.rounds < 1:
        parser.error("--rounds takes a positive number")
    target = parse_target(args.target)
    database = create_database(target.url)
    setup = prepare(target, database, args.deep_offset)
    result: dict[str, Any] = {
        "command": f"bench/run read {args.target} --workers {args.workers}"
        f" --seconds {args.seconds} --servers {args.servers} --deep-offset {args.deep_offset}"
        f" --rounds {args.rounds}",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "backend": target.backend,
        "dataset": {k: v for k, v in target.manifest().items() if k != "sites"},
        "workers": args.workers,
        "rounds": args.rounds,
        "raw_driver": raw_floor(target, database, setup),
    }
    with ExitStack() as stack:
        contenders = start_contenders(stack, target, database, setup, args)
        result.update(measure_rounds(contenders, args.rounds, args.seconds, args.rate))
        for contender in contenders:
            if contender.name.startswith("elnudge"):
                result[f"{contender.name}_worker_rss_mb"] = contender.running.worker_rss_mb()
    database.dispose()
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"read-{target.backend}-{target.name}{args.label}.json"
    out.write_text(json.dumps(result, indent=2))
    print(out)
    print("\n".join(ratio_lines(result)))


if __name__ == "__main__":
    main()
