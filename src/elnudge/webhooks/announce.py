"""What ingestion tells webhooks, queued in the ingesting transaction (the outbox): a session's
conversion (`session.converted`) and the monthly allowance's 80% and 100% (`usage.*`). Live mode
only: test-mode traffic is a merchant trying things out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Connection

from elnudge.attribution import INFLUENCE_WINDOW_MS
from elnudge.db.tables import nudges, sites
from elnudge.sites.usage import Crossing
from elnudge.timestamps import format_timestamp
from elnudge.vocabulary import Event, Mode
from elnudge.webhooks import repository
from elnudge.webhooks.events import WebhookEvent
from elnudge.webhooks.outbox import enqueue, subscribed

_USAGE = {80: WebhookEvent.USAGE_ALLOWANCE_80, 100: WebhookEvent.USAGE_ALLOWANCE_100}


@dataclass(frozen=True, slots=True)
class Conversion:
    session_id: str
    visitor_id: str | None
    purchase: Event


def conversion_data(conversion: Conversion) -> dict[str, Any]:
    data = conversion.purchase.data
    return {
        "session_id": conversion.session_id,
        "visitor_id": conversion.visitor_id,
        "converted_at": format_timestamp(conversion.purchase.occurred_at),
        "value": data.get("value"),
        "currency": data.get("currency"),
        "order_id": data.get("order_id"),
    }


def _listened_to(connection: Connection, site_id: str) -> set[WebhookEvent]:
    """One query before many: a batch of imported purchases on a site without endpoints
    costs one lookup, not one per conversion or per kind of announcement."""
    rows = repository.endpoints_of_site(connection, site_id)
    endpoints = [row for row in rows if row["disabled_at"] is None]
    return {event for event in WebhookEvent for row in endpoints if subscribed(row, event)}


def announce(
    connection: Connection, site_id: str, now_ms: int, conversions: Sequence[Conversion]
) -> None:
    """`session.converted` for each conversion, and `nudge.influenced_conversion` for each
    nudge its purchase credited (an engaged nudge of the session or the visitor whose last
    interaction came at most 30 minutes before it)."""
    if not conversions:
        return
    listened = _listened_to(connection, site_id)
    if WebhookEvent.NUDGE_INFLUENCED_CONVERSION in listened:
        for conversion in conversions:
            _announce_credited(connection, site_id, now_ms, conversion)
    if WebhookEvent.SESSION_CONVERTED not in listened:
        return
    for conversion in conversions:
        enqueue(
            connection,
            site_id=site_id,
            mode=Mode.LIVE,
            event=WebhookEvent.SESSION_CONVERTED,
            data=conversion_data(conversion),
            now_ms=now_ms,
            session_id=conversion.session_id,
        )


def _announce_credited(
    connection: Connection, site_id: str, now_ms: int, conversion: Conversion
) -> None:
    purchased_at = conversion.purchase.occurred_at
    whose = nudges.c.session_id == conversion.session_id
    if conversion.visitor_id is not None:
        whose = or_(whose, nudges.c.visitor_id == conversion.visitor_id)
    credited = connection.execute(
        select(nudges.c.nudge_id, nudges.c.session_id, nudges.c.type)
        .where(
            nudges.c.site_id == site_id,
            nudges.c.mode == Mode.LIVE,
            whose,
            nudges.c.influenced_conversion.is_(True),
            nudges.c.last_interaction_at.between(purchased_at - INFLUENCE_WINDOW_MS, purchased_at),
        )
        .order_by(nudges.c.nudge_id)
    )
    for nudge_id, session_id, kind in credited:
        enqueue(
            connection,
            site_id=site_id,
            mode=Mode.LIVE,
            event=WebhookEvent.NUDGE_INFLUENCED_CONVERSION,
            data={
                "nudge_id": nudge_id,
                "type": kind,
                "session_id": session_id,
                "conversion_session_id": conversion.session_id,
                "converted_at": format_timestamp(purchased_at),
                "value": conversion.purchase.data.get("value"),
                "currency": conversion.purchase.data.get("currency"),
            },
            now_ms=now_ms,
            session_id=conversion.session_id,
        )


def announce_install(connection: Connection, site_id: str, plan: str, now_ms: int) -> None:
    """The site's SDK sent its first event: record it, and queue `app.installed` once (the
    conditional update lets exactly one of two concurrent first batches do it)."""
    first = connection.execute(
        update(sites)
        .where(sites.c.site_id == site_id, sites.c.installed_at.is_(None))
        .values(installed_at=now_ms)
    ).rowcount
    if first:
        data = {"site_id": site_id, "plan": plan, "timestamp": format_timestamp(now_ms)}
        enqueue(
            connection,
            site_id=site_id,
            mode=Mode.LIVE,
            event=WebhookEvent.APP_INSTALLED,
            data=data,
            now_ms=now_ms,
        )


def announce_usage(
    connection: Connection, site_id: str, now_ms: int, crossings: Sequence[Crossing]
) -> None:
    for crossing in crossings:
        enqueue(
            connection,
            site_id=site_id,
            mode=Mode.LIVE,
            event=_USAGE[crossing.percent],
            data={"month": crossing.month, "percent": crossing.percent},
            now_ms=now_ms,
        )
