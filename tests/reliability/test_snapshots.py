"""A session and its event log are read from one snapshot (one statement): an ingest that
commits while they are read cannot make them disagree. It is injected right after the
statement starts, before its rows are fetched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from elnudge.events.batch import validate_batch
from elnudge.events.service import ingest_all_or_nothing
from elnudge.keys.service import authenticate
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.vocabulary import KeyKind
from tests.storefront import ShopApi, page_view


def test_an_ingest_between_the_session_and_its_log_is_not_seen_by_either(
    shop: ShopApi, runtime: Runtime, site: CreatedSite
) -> None:
    shop.ingest(page_view("2026-05-01T11:00:00Z", "/a"))
    [session] = shop.sessions()
    late = page_view("2026-05-01T11:10:00Z", "/b")
    fired: list[bool] = []

    def ingest_in_between(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if fired or "FROM sessions" not in statement or "nudge_count" not in statement:
            return
        fired.append(True)
        now_ms = runtime.clock.now_ms()
        with runtime.database.write() as connection:
            principal = authenticate(
                connection, site.secret_key_live, kind=KeyKind.SECRET, now_ms=now_ms
            )
            batch = validate_batch({"events": [late]}, principal, runtime.settings, now_ms)
            ingest_all_or_nothing(connection, principal=principal, batch=batch, now_ms=now_ms)

    event.listen(runtime.database.engine, "after_cursor_execute", ingest_in_between)
    try:
        detail = shop.detail(session["id"])
    finally:
        event.remove(runtime.database.engine, "after_cursor_execute", ingest_in_between)
    assert fired, "the session row was never read"
    # Read before the ingest: one page, ended at 11:00, and a log that says the same.
    assert (detail["page_count"], detail["ended_at"]) == (1, "2026-05-01T11:00:00Z")
    assert [e["url"] for e in detail["events"]] == ["/a"]
    # The ingest itself went through and shows on the next read.
    assert [e["url"] for e in shop.detail(session["id"])["events"]] == ["/a", "/b"]
