"""The store's knowledge, as the merchant manages it (CLI now, the dashboard later): add,
list, remove, and import FAQ entries and policies from a CSV file (`kind,title,body,url`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.errors import InvalidRequest, NotFound
from elnudge.knowledge import repository
from elnudge.sites.repository import get_site

KINDS = ("faq", "policy")
MAX_TITLE = 300
MAX_BODY = 4000
CSV_COLUMNS = ("kind", "title", "body", "url")
ENTRY = ids.KNOWLEDGE


@dataclass(frozen=True, slots=True)
class Entry:
    """A knowledge entry to add: the shopper reads `body` as the answer to `title`."""

    kind: str
    title: str
    body: str
    url: str | None = None


def check_entry(entry: Entry, where: str = "") -> Entry:
    """The entry with its text trimmed; a 400 naming the field when it cannot be an answer."""
    kind, title, body = entry.kind.strip().lower(), entry.title.strip(), entry.body.strip()
    url = (entry.url or "").strip() or None
    if kind not in KINDS:
        raise InvalidRequest(f"{where}kind must be one of {', '.join(KINDS)}.", param="kind")
    if not title or len(title) > MAX_TITLE:
        raise InvalidRequest(f"{where}title must have 1 to {MAX_TITLE} characters.", param="title")
    if not body or len(body) > MAX_BODY:
        raise InvalidRequest(f"{where}body must have 1 to {MAX_BODY} characters.", param="body")
    if url is not None and not url.startswith(("/", "https://", "http://")):
        raise InvalidRequest(f"{where}url must be a path or an http(s) URL.", param="url")
    return Entry(kind, title, body, url)


def add_entries(
    connection: Connection, site_id: str, entries: Iterable[Entry], now_ms: int
) -> list[str]:
    """Add entries to the site's knowledge, all or none; their new ids, in order."""
    _require_site(connection, site_id)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        checked = check_entry(entry)
        rows.append(
            {
                "site_id": site_id,
                "entry_id": ids.new_id(ENTRY, now_ms),
                "kind": checked.kind,
                "title": checked.title,
                "body": checked.body,
                "url": checked.url,
                "created_at": now_ms + len(rows),  # keeps the file's order
            }
        )
    repository.insert_entries(connection, rows)
    return [row["entry_id"] for row in rows]


def read_csv(source: TextIO) -> list[Entry]:
    """Entries from CSV text with a header naming `kind`, `title`, `body` (and `url`)."""
    reader = csv.DictReader(source)
    missing = [name for name in CSV_COLUMNS[:3] if name not in (reader.fieldnames or ())]
    if missing:
        raise InvalidRequest(f"The CSV needs the columns {', '.join(CSV_COLUMNS)}.", param="file")
    return [_entry_from(row, number) for number, row in enumerate(reader, start=2)]


def _entry_from(row: Mapping[str, str | None], line: int) -> Entry:
    entry = Entry(row["kind"] or "", row["title"] or "", row["body"] or "", row.get("url"))
    return check_entry(entry, f"Line {line}: ")


def list_entries(connection: Connection, site_id: str) -> list[dict[str, Any]]:
    """The site's entries, oldest first."""
    _require_site(connection, site_id)
    return [
        {"id": entry_id, "kind": kind, "title": title, "body": body, "url": url}
        for entry_id, kind, title, body, url in repository.list_entries(connection, site_id)
    ]


def remove_entry(connection: Connection, site_id: str, entry_id: str) -> None:
    """Remove one entry; a 404 when the site has no entry with that id."""
    _require_site(connection, site_id)
    if not repository.delete_entry(connection, site_id, entry_id):
        raise NotFound(f"No knowledge entry {entry_id!r} in this site.", param="id")


def _require_site(connection: Connection, site_id: str) -> None:
    if get_site(connection, site_id) is None:
        raise NotFound(f"No site {site_id!r}.")
