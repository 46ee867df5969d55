"""The export's files on their own: the state log survives a line cut short by a kill, and a
rows file is cut back to its last checkpoint."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from elnudge.export.columns import DETAIL_COLUMNS, SESSION_COLUMNS
from elnudge.export.files import ExportError, ResumeState, RowsFile, StateLog

FIRST = ResumeState("sessions", "csv", False, "2026-04-01", None, None, 0, 70, False)


def test_a_cut_off_last_line_is_dropped_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "out.csv.export-state.jsonl"
    log = StateLog(path)
    log.start(FIRST)
    second = FIRST.advanced("cursor-1", 200, 9000)
    log.append(second)
    log.close()
    with path.open("ab") as file:  # the kill came in the middle of the third line
        file.write(b'{"kind": "sessions", "file_format": "csv", "rows": 40')
    resumed = StateLog(path)
    assert resumed.resume() == second
    third = second.advanced(None, 5, 9100)
    resumed.append(third)
    resumed.close()
    final = StateLog(path)
    assert final.resume() == third and third.complete
    final.close()
    assert len(path.read_bytes().splitlines()) == 3


def test_a_log_without_any_checkpoint_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    path.write_bytes(b'{"kind": "sess')
    with pytest.raises(ExportError, match="no checkpoint"):
        StateLog(path).resume()


def test_rows_past_the_checkpoint_are_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    rows = RowsFile(path, "csv", SESSION_COLUMNS)
    header_end = rows.create()
    item = {"id": "sess_1", "started_at": "2026-04-29T10:14:32Z", "converted": True}
    rows.write([item])
    checkpoint = rows.flush()
    rows.write([{**item, "id": "sess_2"}])  # written, but never checkpointed
    rows.close()
    again = RowsFile(path, "csv", SESSION_COLUMNS)
    again.reopen(checkpoint)
    again.write([{**item, "id": "sess_3"}])
    again.close()
    with path.open(newline="") as file:
        table = list(csv.reader(file))
    assert [row[0] for row in table] == ["id", "sess_1", "sess_3"]
    assert table[1][5] == "true" and table[1][2] == "" and header_end < checkpoint
    with pytest.raises(ExportError, match="shorter"):
        RowsFile(path, "csv", SESSION_COLUMNS).reopen(10**9)


def test_events_and_nudges_are_json_cells(tmp_path: Path) -> None:
    path = tmp_path / "detail.csv"
    rows = RowsFile(path, "csv", DETAIL_COLUMNS)
    rows.create()
    events = [{"type": "PAGE_VIEW", "url": "/a,b", "occurred_at": "2026-04-29T10:14:32Z"}]
    rows.write([{"id": "sess_1", "events": events, "nudges": []}])
    rows.close()
    with path.open(newline="") as file:
        header, row = list(csv.reader(file))
    assert header[-2:] == ["events", "nudges"] and row[-2:] == [
        '[{"type":"PAGE_VIEW","url":"/a,b","occurred_at":"2026-04-29T10:14:32Z"}]',
        "[]",
    ]


def test_the_state_knows_its_query() -> None:
    assert FIRST.same_query(replace(FIRST, cursor="x", rows=5))
    assert not FIRST.same_query(replace(FIRST, to="2026-05-01"))
