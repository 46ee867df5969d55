"""bench/cpu.py: cores per program and the stolen share, from two snapshots."""

from __future__ import annotations

import os
from collections import Counter

from bench import cpu


def test_usage_divides_ticks_by_the_interval_and_names_the_busiest_programs() -> None:
    ticks = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
    before = cpu.Snapshot(10.0, (0,) * 10, Counter({"postgres": 5 * ticks, "wrk": 0}))
    after = cpu.Snapshot(
        12.0,
        (3 * ticks, 0, ticks, 0, 0, 0, 0, ticks, 2 * ticks, 0),
        Counter({"postgres": 7 * ticks, "python": 3 * ticks, "wrk": ticks // 2}),
    )

    used = cpu.usage(before, after, top=2)

    assert used["seconds"] == 2.0
    assert used["steal_share"] == 0.2  # 1 of 5 ticks; the guest column is not counted twice
    assert used["cores_by_program"] == {"python": 1.5, "postgres": 1.0}


def test_a_snapshot_sees_this_process() -> None:
    taken = cpu.snapshot()

    assert len(taken.machine) >= 8
    assert any(name.startswith("python") or name == "pytest" for name in taken.programs)
