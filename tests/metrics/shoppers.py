"""Hand-made shoppers for the metrics tests: sessions written through the real ingestion path
(`POST /v1/events`), and the engine's offers where a test needs the holdout experiment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from elnudge.db.tables import nudge_offers, sessions
from elnudge.runtime import Runtime
from elnudge.timestamps import MINUTE_MS, format_timestamp_ms
from tests.storefront import ShopApi, nudge_reaction, nudge_shown, page_view, purchase

REACTION_EVENTS = {
    "clicked": "NUDGE_CLICKED",
    "dismissed": "NUDGE_DISMISSED",
    "chat_opened": "NUDGE_CHAT_OPENED",
}


def visit(
    shop: ShopApi,
    client_key: str,
    at_ms: int,
    *,
    nudges: tuple[tuple[str, str, tuple[str, ...]], ...] = (),
    buys: bool = False,
    value: float = 129.0,
    currency: str = "USD",
    visitor: str | None = None,
) -> str:
    """One session starting at `at_ms`: a page view, then each (nudge id, type, reactions)
    shown a minute apart with its reactions, then a purchase when `buys`. Its `sess_` id."""
    options: dict[str, Any] = {"session": client_key}
    if visitor is not None:
        options["visitor"] = visitor
    events = [page_view(format_timestamp_ms(at_ms), "/", **options)]
    step = at_ms
    for nudge_id, kind, reactions in nudges:
        step += MINUTE_MS
        events.append(nudge_shown(format_timestamp_ms(step), nudge_id, kind, **options))
        for reaction in reactions:
            step += 1000
            events.append(
                nudge_reaction(
                    REACTION_EVENTS[reaction], format_timestamp_ms(step), nudge_id, **options
                )
            )
    if buys:
        step += MINUTE_MS
        data = {"value": value, "currency": currency, "item_count": 1}
        event = purchase(format_timestamp_ms(step), **options)
        event["data"] = data
        events.append(event)
    shop.ingest(*events)
    return session_of(shop, client_key, at_ms)


def session_of(shop: ShopApi, client_key: str, at_ms: int) -> str:
    """The `sess_` id the API lists for the session that started at `at_ms`."""
    window = {"from": format_timestamp_ms(at_ms), "to": format_timestamp_ms(at_ms + 1)}
    listed = shop.walk(**window)
    assert len(listed) == 1, (client_key, listed)
    return str(listed[0]["id"])


def offer(
    runtime: Runtime,
    site_id: str,
    session_id: str,
    nudge_id: str,
    kind: str = "toast",
    *,
    held_out: bool,
    mode: str = "live",
) -> None:
    """Record an engine decision for a stored session, as `nudges/decisions.py` does."""
    with runtime.database.write() as connection:
        started = connection.execute(
            select(sessions.c.started_at).where(
                sessions.c.site_id == site_id, sessions.c.session_id == session_id
            )
        ).scalar_one()
        connection.execute(
            insert(nudge_offers).values(
                site_id=site_id,
                mode=mode,
                nudge_id=nudge_id,
                session_id=session_id,
                visitor_id=None,
                type=kind,
                rule="low_stock",
                offered_at=started + 1000,
                held_out=held_out,
                engine_version="test",
            )
        )
