"""HTTP load generators: wrk (closed loop, throughput and latency) and hey (fixed rate).

Every run is bounded in time; results are parsed into plain dicts of numbers.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True, slots=True)
class LoadResult:
    tool: str
    connections: int
    seconds: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return round(float(number) * _UNITS[unit], 3)


def _run(command: list[str], url: str, headers: dict[str, str], seconds: int) -> str:
    """Run a load generator (wrk and hey take `-H "Name: value"` alike); its output."""
    for name, value in headers.items():
        command = [*command, "-H", f"{name}: {value}"]
    return subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout


def wrk(
    url: str, *, connections: int, seconds: int, headers: dict[str, str], threads: int = 1
) -> LoadResult:
    """A closed loop: each connection sends its next request when the last one answered."""
    command = [
        "wrk",
        "--latency",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
    ]
    output = _run(command, url, headers, seconds)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return LoadResult(
        tool="wrk",
        connections=connections,
        seconds=seconds,
        requests=requests,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        non_2xx=int(errors.group(1)) if errors else 0,
    )


def hey_fixed_rate(
    url: str, *, rate: int, seconds: int, headers: dict[str, str], connections: int = 10
) -> LoadResult:
    """An open-ish loop: `connections` workers, each capped at rate/connections requests/s."""
    command = [
        "hey",
        "-z",
        f"{seconds}s",
        "-c",
        str(connections),
        "-q",
        str(max(1, rate // connections)),
        "-disable-compression",
    ]
    output = _run(command, url, headers, seconds)
    statuses = dict(re.findall(r"\[(\d{3})\]\s+(\d+) responses", output))
    ok = sum(int(count) for code, count in statuses.items() if code.startswith("2"))
    total = sum(int(count) for count in statuses.values())
    return LoadResult(
        tool="hey",
        connections=connections,
        seconds=seconds,
        requests=total,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=round(float(re.search(r"50%+ in ([\d.]+) secs", output).group(1)) * 1000, 3),  # type: ignore[union-attr]
        p99_ms=round(float(re.search(r"99%+ in ([\d.]+) secs", output).group(1)) * 1000, 3),  # type: ignore[union-attr]
        non_2xx=total - ok,
    )
