"""The export's walk: list pages through the API, optionally each session's detail, rows
appended and checkpointed page by page (see the package docstring for how resuming works)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from elnudge.client import Client, NotFoundError
from elnudge.export import parquet
from elnudge.export.columns import Column, columns_for
from elnudge.export.files import (
    ExportError,
    ResumeState,
    RowsFile,
    StateLog,
    rows_path,
    state_path,
)

KINDS = ("sessions", "nudges")
FORMATS = ("jsonl", "csv", "parquet")
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ExportSpec:
    """What to export where. `page_size` is the API's `limit` (1–200); `detail_workers` is how
    many session details are fetched at once with `with_events`."""

    kind: str
    file_format: str
    output: Path
    from_: str | None = None
    to: str | None = None
    with_events: bool = False
    resume: bool = False
    page_size: int = 200
    detail_workers: int = 8

    def check(self) -> None:
        if self.kind not in KINDS:
            raise ExportError(f"Unknown kind {self.kind!r}: choose {' or '.join(KINDS)}.")
        if self.file_format not in FORMATS:
            raise ExportError(f"Unknown format {self.file_format!r}: choose {', '.join(FORMATS)}.")
        if self.with_events and self.kind != "sessions":
            raise ExportError("--with-events applies to sessions only.")
        if self.file_format == "parquet":
            parquet.require()

    def fresh_state(self) -> ResumeState:
        return ResumeState(
            kind=self.kind,
            file_format=self.file_format,
            with_events=self.with_events,
            from_=self.from_,
            to=self.to,
            cursor=None,
            rows=0,
            offset=0,
            complete=False,
        )


@dataclass(frozen=True, slots=True)
class ExportResult:
    rows: int
    resumed_from: int  # rows already written by the interrupted run
    vanished: int  # sessions listed but gone (erased or purged) before their detail was read


def run_export(
    client: Client, spec: ExportSpec, progress: Progress = lambda rows: None
) -> ExportResult:
    """Write the export; `progress` is told of every page's rows (first the resumed count)."""
    spec.check()
    rows = RowsFile(rows_path(spec.output, spec.file_format), spec.file_format, _columns(spec))
    log = StateLog(state_path(spec.output))
    vanished = 0
    try:
        state = _start(spec, rows, log)
        resumed_from = state.rows
        progress(state.rows)
        if not state.complete:
            for items, cursor, gone in _pages(client, spec, state.cursor):
                rows.write(items)
                state = state.advanced(cursor, len(items), rows.flush())
                log.append(state)  # after the rows are flushed: never ahead of them
                vanished += gone
                progress(len(items))
    finally:
        rows.close()
        log.close()
    _finish(spec, log)
    return ExportResult(state.rows, resumed_from, vanished)


def _columns(spec: ExportSpec) -> tuple[Column, ...]:
    return columns_for(spec.kind, spec.with_events)


def _start(spec: ExportSpec, rows: RowsFile, log: StateLog) -> ResumeState:
    """The state to continue from: the saved one with `--resume`, else a new, empty file."""
    fresh = spec.fresh_state()
    if spec.resume and log.path.exists():
        saved = log.resume()
        if not saved.same_query(fresh):
            raise ExportError(
                f"{log.path} is of another export ({saved.kind}, {saved.file_format}, "
                f"from {saved.from_}, to {saved.to}, with events: {saved.with_events}): "
                "repeat its options, or run without --resume to start over."
            )
        if not saved.complete:
            rows.reopen(saved.offset)
        return saved
    if spec.resume and spec.output.exists():
        raise ExportError(f"{spec.output} has no resume state ({log.path}): nothing to resume.")
    state = replace(fresh, offset=rows.create())
    log.start(state)
    return state


def _pages(
    client: Client, spec: ExportSpec, cursor: str | None
) -> Iterator[tuple[list[dict[str, Any]], str | None, int]]:
    """Each page's rows, the cursor after it (None after the last) and how many vanished."""
    listing = client.sessions if spec.kind == "sessions" else client.nudges
    if cursor is None:
        first = listing.list(from_=spec.from_, to=spec.to, limit=spec.page_size)
    else:  # the cursor carries the query's window
        first = listing.list(cursor=cursor, limit=spec.page_size)
    with ThreadPoolExecutor(max_workers=spec.detail_workers) as pool:
        for page in first.iter_pages():
            items = page.raw_data
            gone = 0
            if spec.with_events:
                found = list(pool.map(lambda item: _detail(client, item["id"]), items))
                items = [detail for detail in found if detail is not None]
                gone = len(found) - len(items)
            yield items, page.next_cursor if page.has_more else None, gone


def _detail(client: Client, session_id: str) -> dict[str, Any] | None:
    try:
        body = client.raw_request("GET", f"/v1/sessions/{quote(session_id, safe='')}")
    except NotFoundError:
        return None
    detail: dict[str, Any] = body["data"]
    return detail


def _finish(spec: ExportSpec, log: StateLog) -> None:
    """Convert a Parquet spool, then forget the resume state: the export is complete."""
    if spec.file_format == "parquet":
        spool = rows_path(spec.output, spec.file_format)
        parquet.convert(spool, spec.output, spec.kind, spec.with_events)
        spool.unlink()
    log.remove()
