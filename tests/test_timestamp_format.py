"""format_timestamp's arithmetic fast path agrees with datetime.isoformat everywhere.

(Not strftime: its %Y does not zero-pad years before 1000 on Linux.)"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from elnudge.timestamps import format_timestamp


@given(st.integers(min_value=-62_135_596_800_000 + 86_400_000, max_value=253_402_300_799_999))
def test_matches_isoformat(ms: int) -> None:
    expected = datetime.fromtimestamp(ms // 1000, UTC).isoformat().replace("+00:00", "Z")
    assert format_timestamp(ms) == expected


def test_drops_the_fraction() -> None:
    assert format_timestamp(1_777_457_672_999) == "2026-04-29T10:14:32Z"
