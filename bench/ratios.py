"""issue 15's ratios from one `bench/run read` result: elNudge against the floor server and the
peer of its backend, and granian against uvicorn when both ran.

Targets: p50 on one connection ≤ 1.5× the floor's, saturated throughput ≥ 0.7× the floor's;
saturated throughput ≥ 2× PostgREST's (≥ 3× Datasette's), p50 on one connection and p99 at the
fixed rate no worse than the peer's.
"""

from __future__ import annotations

from typing import Any

PEERS = {"postgrest": 2.0, "datasette": 3.0}  # the throughput multiple elNudge must reach
FLOOR_P50 = 1.5
FLOOR_THROUGHPUT = 0.7
SERVER_SUFFIXES = ("", "_granian")


def _ratio(value: float, reference: float) -> float | None:
    return round(value / reference, 2) if reference else None


def _mark(ratio: float | None, target: float, at_most: bool) -> str:
    if ratio is None:
        return ""
    met = ratio <= target if at_most else ratio >= target
    return f"{ratio} {'✓' if met else '✗'}"


def _figures(figures: dict[str, Any]) -> tuple[float, float, float]:
    """p50 on one connection, p99 at the fixed rate, saturated req/s."""
    return (
        figures["one_connection"]["p50_ms"],
        figures["fixed_rate"]["p99_ms"],
        figures["saturation"]["rps"],
    )


def ratio_rows(result: dict[str, Any]) -> list[str]:
    """One row per (HTTP server, scenario): elNudge over the floor and over the peer."""
    peer_name = next((name for name in PEERS if name in result), None)
    peer = result.get(peer_name, {}) if peer_name else {}
    lines = []
    for suffix in SERVER_SUFFIXES:
        floor = result.get(f"floor{suffix}", {})
        for scenario, figures in result.get(f"elnudge{suffix}", {}).items():
            p50, p99_rate, rps = _figures(figures)
            cells = [suffix.lstrip("_") or "uvicorn", scenario]
            if scenario in floor:
                floor_p50, _, floor_rps = _figures(floor[scenario])
                cells += [
                    _mark(_ratio(p50, floor_p50), FLOOR_P50, at_most=True),
                    _mark(_ratio(rps, floor_rps), FLOOR_THROUGHPUT, at_most=False),
                ]
            else:
                cells += ["", ""]
            if scenario in peer and peer_name:
                peer_p50, peer_p99, peer_rps = _figures(peer[scenario])
                cells += [
                    _mark(_ratio(rps, peer_rps), PEERS[peer_name], at_most=False),
                    _mark(_ratio(p50, peer_p50), 1.0, at_most=True),
                    _mark(_ratio(p99_rate, peer_p99), 1.0, at_most=True),
                ]
            else:
                cells += ["", "", ""]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def server_rows(result: dict[str, Any]) -> list[str]:
    """granian against uvicorn, for elNudge and for the floor, when both ran."""
    lines = []
    for app in ("elnudge", "floor"):
        uvicorn, granian = result.get(app, {}), result.get(f"{app}_granian", {})
        for scenario in uvicorn.keys() & granian.keys():
            (u50, u99, urps), (g50, g99, grps) = (
                _figures(uvicorn[scenario]),
                _figures(granian[scenario]),
            )
            lines.append(
                f"| {app} | {scenario} | {u50} | {g50} | {u99} | {g99} | {urps:.0f} | {grps:.0f} "
                f"| {_ratio(grps, urps)} |"
            )
    return sorted(lines)


def ratio_lines(result: dict[str, Any]) -> list[str]:
    """The tables, in markdown, for `bench/run read` and `bench/run summary`."""
    peer_name = next((name for name in PEERS if name in result), "peer")
    multiple = PEERS.get(peer_name, 2.0)
    lines = [
        "",
        f"issue 15 ratios (✓ target met, ✗ missed; peer: {peer_name})",
        "",
        f"| server | scenario | p50 ÷ floor (≤ {FLOOR_P50}) | req/s ÷ floor (≥ {FLOOR_THROUGHPUT}) "
        f"| req/s ÷ peer (≥ {multiple}) | p50 ÷ peer (≤ 1) | p99 at fixed rate ÷ peer (≤ 1) |",
        "|---|---|---|---|---|---|---|",
        *ratio_rows(result),
    ]
    if servers := server_rows(result):
        lines += [
            "",
            "granian against uvicorn (same run, same workers)",
            "",
            "| app | scenario | p50 ms uvicorn | p50 ms granian | p99 ms at fixed rate uvicorn "
            "| p99 ms at fixed rate granian | req/s uvicorn | req/s granian "
            "| req/s granian ÷ uvicorn |",
            "|---|---|---|---|---|---|---|---|---|",
            *servers,
        ]
    return lines
