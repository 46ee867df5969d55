"""`bench/run summary` — one table of every result file, for RESULTS.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.ratios import ratio_lines
from bench.targets import RESULTS_DIR

SERVERS = ("elnudge", "floor", "elnudge_granian", "floor_granian", "postgrest", "datasette")


def read_rows(result: dict[str, Any]) -> list[str]:
    lines = []
    for server in SERVERS:
        for name, figures in result.get(server, {}).items():
            one, fixed, sat = (
                figures["one_connection"],
                figures["fixed_rate"],
                figures["saturation"],
            )
            lines.append(
                f"| {server} | {name} | {one['p50_ms']} | {one['p99_ms']} | {one['rps']:.0f} "
                f"| {fixed['rps']:.0f} | {fixed['p99_ms']} | {sat['rps']:.0f} | {sat['p99_ms']} "
                f"| {sat['non_2xx'] + fixed['non_2xx'] + one['non_2xx']} | {figures['bytes']} |"
            )
    for name, floor in result.get("raw_driver", {}).items():
        lines.append(
            f"| raw driver | {name} | {floor['p50_ms']} | {floor['p99_ms']} "
            f"| {floor['qps_one_connection']:.0f} | | | | | | |"
        )
    return lines


def export_rows(result: dict[str, Any]) -> list[str]:
    """One line per method: every round's sessions/s and client CPU, best and median ratio."""
    best, median = result["best"]["time_over_floor"], result["median"]["time_over_floor"]
    lines = []
    for name, runs in result["runs"].items():
        rates = ", ".join(f"{run['sessions_per_s']:,}" for run in runs)
        cpu = ", ".join(f"{run['client_cpu_s']}" for run in runs)
        lines.append(f"| {name} | {rates} | {cpu} | {best[name]} | {median[name]} |")
    return lines


def main() -> None:
    paths = [Path(arg) for arg in sys.argv[1:]] or sorted(RESULTS_DIR.glob("*.json"))
    for path in paths:
        result = json.loads(path.read_text())
        # Some scripts (explain, report, dashboard) record no command or date of their own.
        command, date = result.get("command", "see RESULTS.md"), result.get("date", "")
        print(f"\n### {path.name} — {command} — {date}\n")
        if path.name.startswith("read-"):
            print(
                "| server | scenario | p50 ms (1 conn) | p99 ms (1 conn) | req/s (1 conn) "
                "| fixed rate req/s | p99 ms at fixed rate | saturation req/s "
                "| p99 ms saturated | non-2xx | bytes |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            print("\n".join(read_rows(result)))
            for key in ("elnudge_worker_rss_mb", "elnudge_granian_worker_rss_mb"):
                if key in result:
                    print(f"\n{key} after the run: {result[key]}")
            if "floor" in result or "floor_granian" in result:
                print("\n".join(ratio_lines(result)))
        elif path.name.startswith("export-"):
            rows = result["runs"]["httpx"][0]["rows"]
            print(f"{rows:,} sessions per walk, 200 per page\n")
            print(
                "| method | sessions/s per round | client CPU s per round "
                "| time over floor (best) | time over floor (median) |"
            )
            print("|---|---|---|---|---|")
            print("\n".join(export_rows(result)))
        else:
            print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1))


if __name__ == "__main__":
    main()
