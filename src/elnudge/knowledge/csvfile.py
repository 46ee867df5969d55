"""Knowledge entries from a CSV file, read the same way for `elnudge knowledge import` and the
dashboard's upload: UTF-8 text (a spreadsheet's byte-order mark allowed), a header naming
`kind`, `title` and `body` (and `url`), one entry a row. Every bad row is named (the first
MAX_PROBLEMS of them), so a merchant fixes the file in one go; a file with any bad row adds
nothing, nor does one of more than MAX_ROWS entries."""

from __future__ import annotations

import csv
import io
from typing import TextIO

from elnudge.errors import InvalidRequest
from elnudge.knowledge.service import Entry, check_entry

CSV_COLUMNS = ("kind", "title", "body", "url")
MAX_PROBLEMS = 10
# One import is one write transaction, and SQLite has one writer: 2,000 rows take about 0.3 s
# (58,000 tiny rows took 8 s, blocking ingestion all along). A store's FAQ is tens of rows.
MAX_ROWS = 2000


class CsvRejected(InvalidRequest):
    """A file that cannot be imported: `problems` names what is wrong, row by row."""

    def __init__(self, problems: list[str], more: int = 0) -> None:
        tail = f" (and {more} more bad rows)" if more else ""
        super().__init__("Nothing was imported. " + " ".join(problems) + tail, param="file")
        self.problems = problems
        self.more = more


def entries_from_csv(data: bytes) -> list[Entry]:
    """The entries of a CSV file's bytes; CsvRejected when it is not UTF-8 or a row is bad."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problem = f"The file is not UTF-8 text (byte {error.start + 1}): save it as CSV UTF-8."
        raise CsvRejected([problem]) from error
    return read_csv(io.StringIO(text, newline=""))


def read_csv(source: TextIO) -> list[Entry]:
    """The entries of CSV text. Rows are numbered as a spreadsheet shows them (the header is
    line 1, a quoted value over several lines is one row); empty rows are skipped."""
    rows = csv.reader(source)
    entries: list[Entry] = []
    problems: list[str] = []
    number = 0  # the rows read so far
    try:
        columns = _columns(next(rows, []))
        number = 1
        for row in rows:
            number += 1
            if any(cell.strip() for cell in row):
                _read_row(row, columns, number, entries, problems)
    except csv.Error as error:  # a value over csv's size limit, a NUL byte, …
        problems.append(f"Line {number + 1} cannot be read as CSV ({error}).")
    if problems:
        raise CsvRejected(problems[:MAX_PROBLEMS], max(0, len(problems) - MAX_PROBLEMS))
    if not entries:
        raise CsvRejected(["The file has no entries below its first row."])
    if len(entries) > MAX_ROWS:
        raise CsvRejected(
            [f"The file has {len(entries):,} entries, more than {MAX_ROWS:,}: split it."]
        )
    return entries


def _columns(header: list[str]) -> dict[str, int]:
    """Where each column is, from the first row (names trimmed, any case)."""
    names = [name.strip().lower() for name in header]
    if not set(CSV_COLUMNS[:3]) <= set(names):
        wanted = ", ".join(CSV_COLUMNS)
        raise CsvRejected([f"The first row must name the columns {wanted} (url may be left out)."])
    return {name: names.index(name) for name in CSV_COLUMNS if name in names}


def _read_row(
    row: list[str], columns: dict[str, int], number: int, entries: list[Entry], problems: list[str]
) -> None:
    def value(name: str) -> str:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else ""

    entry = Entry(value("kind"), value("title"), value("body"), value("url") or None)
    try:
        entries.append(check_entry(entry, f"Line {number}: "))
    except InvalidRequest as error:
        problems.append(error.message)
