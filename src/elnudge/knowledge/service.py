"""The store's knowledge, as the merchant manages it from the CLI (`elnudge knowledge …`) and
the dashboard's Knowledge page, one code path for both: add, list (all, or a page, newest
first), remove, and import FAQ entries and policies (a CSV file, knowledge/csvfile.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.errors import InvalidRequest, NotFound
from elnudge.knowledge import repository
from elnudge.sites.repository import get_site

KINDS = ("faq", "policy")
MAX_TITLE = 300
MAX_BODY = 4000
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
    for name, value in (("title", title), ("body", body), ("url", url or "")):
        if "\x00" in value:  # PostgreSQL's text cannot hold it
            raise InvalidRequest(f"{where}{name} must not contain NUL characters.", param=name)
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
        created_at = now_ms + len(rows)  # keeps the file's order, in the ids' too
        rows.append(
            {
                "site_id": site_id,
                "entry_id": ids.new_id(ENTRY, created_at),
                "kind": checked.kind,
                "title": checked.title,
                "body": checked.body,
                "url": checked.url,
                "created_at": created_at,
            }
        )
    repository.insert_entries(connection, rows)
    return [row["entry_id"] for row in rows]


@dataclass(frozen=True, slots=True)
class EntriesPage:
    """A page of a site's entries, newest first; `next_before` is the `before` of the next
    page (None on the last)."""

    entries: list[dict[str, Any]]
    total: int
    next_before: str | None


def list_entries(connection: Connection, site_id: str) -> list[dict[str, Any]]:
    """The site's entries, oldest first."""
    _require_site(connection, site_id)
    return [_entry_object(row) for row in repository.list_entries(connection, site_id)]


def entries_page(
    connection: Connection, site_id: str, before: str | None, limit: int
) -> EntriesPage:
    """Up to `limit` of the site's entries older than the entry `before` (None: the newest),
    newest first: keyset paging on the ids, which are time-ordered (add_entries)."""
    _require_site(connection, site_id)
    if before is not None and not ids.is_valid_id(before, ENTRY):
        raise InvalidRequest(
            "This page's link is not valid: start from the first page.", param="before"
        )
    rows = repository.entries_before(connection, site_id, before, limit + 1)
    entries = [_entry_object(row) for row in rows[:limit]]
    next_before = entries[-1]["id"] if len(rows) > limit else None
    return EntriesPage(entries, repository.count_entries(connection, site_id), next_before)


def get_entry(connection: Connection, site_id: str, entry_id: str) -> dict[str, Any]:
    """One of the site's entries; a 404 when the site has none with that id."""
    _require_site(connection, site_id)
    rows = repository.entries_by_id(connection, site_id, [entry_id])
    if not rows:
        raise NotFound(f"No knowledge entry {entry_id!r} in this site.", param="id")
    return _entry_object(rows[0])


def _entry_object(row: Any) -> dict[str, Any]:
    entry_id, kind, title, body, url = row
    return {"id": entry_id, "kind": kind, "title": title, "body": body, "url": url}


def remove_entry(connection: Connection, site_id: str, entry_id: str) -> None:
    """Remove one entry; a 404 when the site has no entry with that id."""
    _require_site(connection, site_id)
    if not repository.delete_entry(connection, site_id, entry_id):
        raise NotFound(f"No knowledge entry {entry_id!r} in this site.", param="id")


def _require_site(connection: Connection, site_id: str) -> None:
    if get_site(connection, site_id) is None:
        raise NotFound(f"No site {site_id!r}.")
