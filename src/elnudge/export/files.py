"""The export's files: the rows (appended page by page), and the resume state beside them.

For `--output out.csv` the state is `out.csv.export-state.jsonl`; a Parquet export writes its
rows to `out.parquet.partial.jsonl` first (a Parquet file cannot be appended to, nor cut
back) and converts that spool to `out.parquet` at the end.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from elnudge.export.columns import Column, csv_row

STATE_SUFFIX = ".export-state.jsonl"
SPOOL_SUFFIX = ".partial.jsonl"
STATE_VERSION = 1


class ExportError(Exception):
    """A problem the user can fix (a message for people, no traceback)."""


def state_path(output: Path) -> Path:
    return output.with_name(output.name + STATE_SUFFIX)


def rows_path(output: Path, file_format: str) -> Path:
    """Where rows are appended: the output itself, or the spool of a Parquet export."""
    return output.with_name(output.name + SPOOL_SUFFIX) if file_format == "parquet" else output


@dataclass(frozen=True, slots=True)
class ResumeState:
    """What an interrupted export needs to continue: the query it ran, the cursor after its
    last complete page, and the rows file's length and row count at that point."""

    kind: str
    file_format: str
    with_events: bool
    from_: str | None
    to: str | None
    cursor: str | None
    rows: int
    offset: int
    complete: bool  # every page is written; what is left is converting and cleaning up
    version: int = STATE_VERSION

    def advanced(self, cursor: str | None, rows: int, offset: int) -> ResumeState:
        """After a page: `cursor` is None when that page was the last."""
        return replace(
            self, cursor=cursor, rows=self.rows + rows, offset=offset, complete=cursor is None
        )

    def same_query(self, other: ResumeState) -> bool:
        fields = ("kind", "file_format", "with_events", "from_", "to", "version")
        return all(getattr(self, name) == getattr(other, name) for name in fields)


class StateLog:
    """The resume state as an append-only log: one JSON line per checkpoint, the last
    complete line wins. Appending costs microseconds; writing a new file and renaming it over
    the old one (the usual atomic update) cost 12 ms per page here, because ext4 flushes a
    file's data before such a rename — as much as fetching the page.

    A line cut short by a kill does not parse and is dropped on resume, before anything is
    appended after it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO | None = None

    def start(self, state: ResumeState) -> None:
        """A new log holding `state` (an earlier log of the same file is replaced)."""
        self._file = self.path.open("wb")
        self.append(state)

    def resume(self) -> ResumeState:
        """The last checkpoint; the log is cut back to it and appended to from there."""
        try:
            lines = self.path.read_bytes().splitlines(keepends=True)
        except OSError as error:
            raise ExportError(f"Cannot read the resume state {self.path}: {error}") from error
        end, state = _last_checkpoint(lines)
        if state is None:
            raise ExportError(f"{self.path} holds no checkpoint: start over without --resume.")
        self._file = self.path.open("r+b")
        self._file.truncate(end)
        self._file.seek(end)
        return state

    def append(self, state: ResumeState) -> None:
        assert self._file is not None
        self._file.write(orjson.dumps(asdict(state)) + b"\n")
        self._file.flush()

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _last_checkpoint(lines: Sequence[bytes]) -> tuple[int, ResumeState | None]:
    """The byte length up to the last complete, readable line, and that line's state."""
    end, found, state = 0, 0, None
    for line in lines:
        end += len(line)
        if not line.endswith(b"\n"):
            break
        try:
            state = ResumeState(**orjson.loads(line))
        except (orjson.JSONDecodeError, TypeError):
            break
        found = end
    return found, state


class RowsFile:
    """Appends pages of rows as JSONL or CSV; `flush()` hands them to the OS (so they survive
    the process being killed) and gives the file's length."""

    def __init__(self, path: Path, file_format: str, columns: Sequence[Column]) -> None:
        self.path = path
        self._csv = file_format == "csv"
        self._columns = tuple(columns)
        self._file: BinaryIO | None = None

    def create(self) -> int:
        """Start an empty file (with the CSV header); its length."""
        self._file = self.path.open("wb")
        if self._csv:
            self._file.write(self._csv_bytes([[column.name for column in self._columns]]))
        return self.flush()

    def reopen(self, offset: int) -> None:
        """Continue a file, cutting off anything written after the last checkpoint."""
        if not self.path.exists() or self.path.stat().st_size < offset:
            raise ExportError(f"{self.path} is shorter than its resume state says: start over.")
        self._file = self.path.open("r+b")
        self._file.truncate(offset)
        self._file.seek(offset)

    def write(self, items: Sequence[Mapping[str, Any]]) -> None:
        assert self._file is not None
        if self._csv:
            self._file.write(self._csv_bytes(csv_row(self._columns, item) for item in items))
        else:
            self._file.write(b"".join(orjson.dumps(item) + b"\n" for item in items))

    def flush(self) -> int:
        assert self._file is not None
        self._file.flush()
        return self._file.tell()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    @staticmethod
    def _csv_bytes(rows: Any) -> bytes:
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        return text.getvalue().encode()
