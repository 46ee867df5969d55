"""`elnudge export` against a live server on SQLite and PostgreSQL: every format read back
with its own reader, killed part-way and resumed to the same bytes as an uninterrupted run,
progress on a terminal only, and clear errors."""

from __future__ import annotations

import csv
import json
import os
import pty
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from elnudge import Client
from elnudge.db import create_database
from tests.client.commands import Store, fill_store
from tests.client.conftest import LiveServers, iso, new_site
from tests.client.servers import ELNUDGE

SESSIONS = 3000
UNLIMITED = "1000000/minute"
SESSION_HEADER = ["id", "started_at", "ended_at", "page_count", "intent_score", "converted"]
SESSION_HEADER.append("nudge_count")


@pytest.fixture(scope="module")
def store(database_url: str, live_servers: LiveServers) -> Iterator[Store]:
    """A site with several thousand sessions on a live server (one per backend)."""
    server = live_servers(database_url, UNLIMITED)
    database = create_database(database_url)
    try:
        site = new_site(database, int(time.time() * 1000))
    finally:
        database.dispose()
    yield fill_store(server.base_url, site.secret_key_live, SESSIONS)


def api_walk(store: Store) -> list[dict[str, Any]]:
    with Client(store.key, base_url=store.base_url) as client:
        since, until = store.window
        pages = client.sessions.list(from_=since, to=until, limit=200).iter_pages()
        return [item for page in pages for item in page.raw_data]


def test_jsonl_is_the_api_walk_one_object_per_line(store: Store, tmp_path: Path) -> None:
    output = tmp_path / "sessions.jsonl"
    result = store.run(*store.export_args("sessions", "jsonl", output))
    assert result.stdout == "" and result.stderr == ""  # piped: quiet
    lines = output.read_bytes().splitlines()
    assert [json.loads(line) for line in lines] == api_walk(store)
    assert len(lines) == SESSIONS and not (tmp_path / "sessions.jsonl.export-state.jsonll").exists()


def test_csv_opens_with_the_stdlib_reader(store: Store, tmp_path: Path) -> None:
    output = tmp_path / "sessions.csv"
    store.run(*store.export_args("sessions", "csv", output))
    with output.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == SESSION_HEADER
    expected = [{key: _csv_text(value) for key, value in item.items()} for item in api_walk(store)]
    assert rows == expected


def _csv_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def test_parquet_reads_back_with_the_documented_schema(store: Store, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    output = tmp_path / "sessions.parquet"
    store.run(*store.export_args("sessions", "parquet", output))
    table = pq.read_table(output)
    time_type = pa.timestamp("ms", tz="UTC")
    assert table.schema == pa.schema(
        [
            ("id", pa.string()),
            ("started_at", time_type),
            ("ended_at", time_type),
            ("page_count", pa.int32()),
            ("intent_score", pa.int32()),
            ("converted", pa.bool_()),
            ("nudge_count", pa.int32()),
        ]
    )
    rows = table.to_pylist()
    walked = api_walk(store)
    assert [row["id"] for row in rows] == [item["id"] for item in walked]
    assert [iso(row["started_at"]) for row in rows] == [item["started_at"] for item in walked]
    assert not list(tmp_path.glob("*.partial.jsonl"))


@pytest.mark.parametrize("file_format", ["jsonl", "csv", "parquet"])
def test_a_killed_export_resumes_to_the_same_rows(
    store: Store, tmp_path: Path, file_format: str
) -> None:
    reference = tmp_path / f"reference.{file_format}"
    store.run(*store.export_args("sessions", file_format, reference, "--page-size", "20"))
    output = tmp_path / f"resumed.{file_format}"
    args = store.export_args("sessions", file_format, output, "--page-size", "20")
    kills = _export_with_kills(store, args, output, max_kills=4)
    assert kills >= 2  # it really was interrupted, more than once
    assert not Path(f"{output}.export-state.jsonl").exists()
    if file_format == "parquet":
        import pyarrow.parquet as pq

        assert pq.read_table(output).to_pylist() == pq.read_table(reference).to_pylist()
    else:  # row by row, then byte for byte
        assert output.read_text().splitlines() == reference.read_text().splitlines()
        assert output.read_bytes() == reference.read_bytes()


def _export_with_kills(store: Store, args: list[str], output: Path, max_kills: int) -> int:
    """Run the export, SIGKILL it at a random moment after each new checkpoint, and resume,
    until it finishes; the number of kills."""
    state = Path(f"{output}.export-state.jsonl")
    kills = 0
    resume: list[str] = []
    while True:
        process = store.popen(*args, *resume)
        resume = ["--resume"]
        rows_before = _rows(state)
        while process.poll() is None and _rows(state) <= rows_before:
            time.sleep(0.002)
        if process.poll() is None and kills < max_kills:
            time.sleep(random.uniform(0, 0.02))  # anywhere: between pages, mid-write, …
            process.send_signal(signal.SIGKILL)
            process.communicate()  # reaps it and closes its pipes
            kills += 1
            continue
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr.decode()
        return kills


def _rows(state: Path) -> int:
    """Rows at the last checkpoint in the state log (-1 before the first)."""
    try:
        lines = state.read_bytes().splitlines(keepends=True)
    except FileNotFoundError:
        return -1
    complete = [line for line in lines if line.endswith(b"\n")]
    rows: int = json.loads(complete[-1])["rows"] if complete else -1
    return rows


def test_with_events_writes_each_session_as_its_detail(
    database_url: str, live_servers: LiveServers, tmp_path: Path
) -> None:
    server = live_servers(database_url, UNLIMITED)
    database = create_database(database_url)
    site = new_site(database, int(time.time() * 1000))
    database.dispose()
    small = fill_store(server.base_url, site.secret_key_live, 12)
    output = tmp_path / "detail.jsonl"
    small.run(*small.export_args("sessions", "jsonl", output, "--with-events"))
    details = [json.loads(line) for line in output.read_bytes().splitlines()]
    assert [detail["id"] for detail in details] == [item["id"] for item in api_walk(small)]
    with Client(small.key, base_url=small.base_url) as client:
        for detail in details:
            assert client.raw_request("GET", f"/v1/sessions/{detail['id']}") == {"data": detail}
            assert [event["type"] for event in detail["events"]] == ["PAGE_VIEW"]
    shown = small.run("sessions", "get", details[0]["id"], "--json").stdout
    assert json.loads(shown) == {"data": details[0]}
    csv_output = tmp_path / "detail.csv"
    small.run(*small.export_args("sessions", "csv", csv_output, "--with-events"))
    with csv_output.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == [*SESSION_HEADER, "events", "nudges"]
    assert [json.loads(row["events"]) for row in rows] == [d["events"] for d in details]


def test_progress_is_drawn_on_a_terminal(store: Store, tmp_path: Path) -> None:
    primary, replica = pty.openpty()
    output = tmp_path / "sessions.jsonl"
    env = {**store.env(), "COLUMNS": "120", "TERM": "xterm"}
    process = subprocess.Popen(
        [ELNUDGE, *store.export_args("sessions", "jsonl", output)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=replica,
    )
    os.close(replica)
    drawn = b""
    while chunk := _read(primary):
        drawn += chunk
    assert process.wait(timeout=120) == 0
    os.close(primary)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn.decode(errors="replace"))
    assert "Exporting sessions" in text and f"{SESSIONS:,}" in text and "/s" in text
    assert f"Wrote {SESSIONS:,} sessions to {output}." in text


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the other end closed
        return b""


def test_without_pyarrow_parquet_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    output = tmp_path / "sessions.parquet"
    hide_pyarrow = (
        "import sys; sys.modules['pyarrow'] = None; "
        "from elnudge.cli import main; sys.argv[0] = 'elnudge'; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", hide_pyarrow, *store.export_args("sessions", "parquet", output)],
        env=store.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "pip install 'elnudge[parquet]'" in result.stderr
    assert not output.exists()


def test_resume_refuses_a_different_export(store: Store, tmp_path: Path) -> None:
    output = tmp_path / "sessions.csv"
    process = store.popen(*store.export_args("sessions", "csv", output, "--page-size", "5"))
    state = Path(f"{output}.export-state.jsonl")
    while process.poll() is None and _rows(state) < 5:
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.communicate()  # reaps it and closes its pipes
    other = store.run(*store.export_args("sessions", "jsonl", output, "--resume"), check=False)
    assert other.returncode == 1 and "another export" in other.stderr
    resumed = store.run(*store.export_args("sessions", "csv", output, "--resume"))
    assert resumed.returncode == 0
    assert len(output.read_text().splitlines()) == SESSIONS + 1


def test_bad_options_are_clear_errors(store: Store, tmp_path: Path) -> None:
    output = tmp_path / "x.jsonl"
    cases = [
        (["--format", "xml"], "Unknown format 'xml'"),
        (["--from", "yesterday"], "400"),
    ]
    for extra, message in cases:
        result = store.run("export", "sessions", "-o", str(output), *extra, check=False)
        assert result.returncode == 1 and message in result.stderr, result.stderr
    no_key = subprocess.run(
        [ELNUDGE, "export", "sessions", "-o", str(output)],
        env={k: v for k, v in store.env().items() if k != "ELNUDGE_API_KEY"},
        capture_output=True,
        text=True,
    )
    assert no_key.returncode == 2 and "ELNUDGE_API_KEY" in no_key.stderr
    completed = tmp_path / "done.jsonl"
    store.run(*store.export_args("sessions", "jsonl", completed))
    again = store.run(*store.export_args("sessions", "jsonl", completed, "--resume"), check=False)
    assert again.returncode == 1 and "nothing to resume" in again.stderr
