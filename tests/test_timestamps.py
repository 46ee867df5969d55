"""Timestamps in and out (docs/api.md, Time)."""

from __future__ import annotations

import pytest

from elnudge.timestamps import format_timestamp, format_timestamp_ms, parse_timestamp

MIDNIGHT = 1_777_593_600_000  # 2026-05-01T00:00:00Z


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("2026-05-01", MIDNIGHT),
        ("2026-05-01T00:00:00Z", MIDNIGHT),
        ("2026-05-01T00:00:00z", MIDNIGHT),
        ("2026-05-01T00:00:00", MIDNIGHT),
        ("2026-05-01T02:00:00+02:00", MIDNIGHT),
        ("2026-04-30T22:00:00-0200", MIDNIGHT),
        ("2026-05-01T00:00:00.123Z", MIDNIGHT + 123),
        ("2026-05-01T00:00:00.123456789Z", MIDNIGHT + 123),
        ("2026-05-01T00:00", MIDNIGHT),
    ],
)
def test_accepted_forms(text: str, ms: int) -> None:
    assert parse_timestamp(text) == ms


@pytest.mark.parametrize(
    "text",
    [
        "",
        "now",
        "2026-5-1",
        "2026-05-01T",
        "2026-05-32",
        "2026-05-01T24:00:00Z",
        "1777593600",
        "2026-05-01T00:00:00+25:00",
    ],
)
def test_rejected_forms(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_output_is_utc_seconds_with_z_and_truncates() -> None:
    assert format_timestamp(MIDNIGHT + 999) == "2026-05-01T00:00:00Z"
    assert format_timestamp_ms(MIDNIGHT + 7) == "2026-05-01T00:00:00.007Z"


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00Z", "0999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"]
)
def test_formatting_round_trips_at_the_edges_of_the_calendar(text: str) -> None:
    ms = parse_timestamp(text)
    assert format_timestamp(ms) == text
    assert parse_timestamp(format_timestamp_ms(ms)) == ms
