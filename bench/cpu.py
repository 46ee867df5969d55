"""Where a measured interval's CPU went: cores used per program, and the share stolen.

A load run on two cores shares them between the load generator, elNudge's workers and the
database; which of them is short of CPU decides what a faster elNudge can gain. On a virtual
machine the host may also take time away ("steal"), which moves a floor measured a minute
later by as much as 2× (bench/RESULTS.md): a result records both, so that a ratio taken on a
stolen interval can be seen for what it is.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TICKS = os.sysconf("SC_CLK_TCK")
# Fields of /proc/stat's `cpu` line: user nice system idle iowait irq softirq steal.
_STEAL = 7


@dataclass(frozen=True)
class Snapshot:
    at: float
    machine: tuple[int, ...]  # the `cpu` line of /proc/stat, in ticks
    programs: Counter[str]  # user + system ticks per command name, every live process


def snapshot() -> Snapshot:
    line = Path("/proc/stat").read_text().splitlines()[0]
    return Snapshot(time.monotonic(), tuple(int(v) for v in line.split()[1:]), _programs())


def _programs() -> Counter[str]:
    ticks: Counter[str] = Counter()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :]
        fields = rest.split()
        ticks[name] += int(fields[11]) + int(fields[12])
    return ticks


def usage(before: Snapshot, after: Snapshot, top: int = 4) -> dict[str, Any]:
    """Cores used by the busiest programs between two snapshots, and the share of the machine's
    time the host stole. A process that ended in between is missing from the programs."""
    seconds = after.at - before.at
    spent = [b - a for a, b in zip(before.machine, after.machine, strict=True)]
    grown = Counter(
        {name: ticks - before.programs.get(name, 0) for name, ticks in after.programs.items()}
    )
    return {
        "seconds": round(seconds, 2),
        "steal_share": round(spent[_STEAL] / max(sum(spent[: _STEAL + 1]), 1), 3),
        "cores_by_program": {
            name: round(ticks / _TICKS / seconds, 2) for name, ticks in grown.most_common(top)
        },
    }
