"""The Nudges API's rules: the list of shown nudges (the sessions' window, cursors and 404
discipline), and the preview of what the engine would decide, stored nowhere."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.config import Settings
from elnudge.engine import Decision, Product, Situation, decide, fold_facts, is_held_out
from elnudge.engine import visitor_key as holdout_key
from elnudge.engine.thresholds import POPULAR_WINDOW_MS
from elnudge.errors import InvalidRequest, NotFound
from elnudge.events.batch import validate_batch
from elnudge.events.payloads import NUDGE_ID_PATTERN
from elnudge.events.validation import ValidEvent
from elnudge.keys.service import Principal
from elnudge.nudges import repository
from elnudge.nudges.decisions import proposal_json, read_situation
from elnudge.nudges.schemas import NudgeListQuery
from elnudge.pagination import Listing, api_window_start, next_cursor, resolve_window
from elnudge.scoring import intent_score
from elnudge.sites import usage
from elnudge.sites.engine import SiteEngine, site_engine
from elnudge.timestamps import format_timestamp
from elnudge.vocabulary import Mode

_NUDGE_ID = re.compile(NUDGE_ID_PATTERN)
NUDGES = Listing(position="shown_at", is_id=lambda value: _NUDGE_ID.fullmatch(value) is not None)


@dataclass(frozen=True, slots=True)
class NudgePage:
    data: list[dict[str, Any]]
    next_cursor: str | None
    has_more: bool


def nudge_object(row: Sequence[Any]) -> dict[str, Any]:
    """`{id, session_id, type, shown_at, outcome, influenced_conversion}`, in that order."""
    nudge_id, session_id, kind, shown_at, outcome, influenced = row
    return {
        "id": nudge_id,
        "session_id": session_id,
        "type": kind,
        "shown_at": format_timestamp(shown_at),
        "outcome": outcome,
        "influenced_conversion": bool(influenced),
    }


def list_nudges(
    connection: Connection, principal: Principal, query: NudgeListQuery, now_ms: int
) -> NudgePage:
    """One page of shown nudges, newest first; those of sessions outside the API window (or
    bots') are invisible, as their sessions are."""
    window = resolve_window(
        given_from=query.from_,
        given_to=query.to,
        filters={"session_id": query.session_id, "type": query.type},
        cursor=query.cursor,
        listing=NUDGES,
        principal=principal,
        now_ms=now_ms,
    )
    rows = repository.list_page(
        connection,
        site_id=principal.site_id,
        mode=principal.mode,
        window_ms=api_window_start(principal, now_ms),
        lower_ms=window.from_ms,
        upper_ms=window.to_ms,
        after=window.after,
        filters=dict(window.filters),
        limit=query.limit + 1,
    )
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    last = (rows[-1].shown_at, rows[-1].nudge_id) if has_more else None
    return NudgePage(
        data=[nudge_object(row) for row in rows],
        next_cursor=next_cursor(window, last, NUDGES, principal),
        has_more=has_more,
    )


# -- preview -----------------------------------------------------------------------------------


def preview(
    connection: Connection, principal: Principal, body: Any, settings: Settings, now_ms: int
) -> dict[str, Any]:
    """What the engine would decide now, as live mode would draw it (whatever the key's mode:
    a preview is how a merchant tries the engine), for a stored session or a hypothetical one.
    Nothing is recorded."""
    engine = site_engine(principal.engine_settings, principal.plan)
    if not isinstance(body, dict):
        raise InvalidRequest('The body must be {"session_id"} or {"events", "visitor_id"?}.')
    if "session_id" in body:
        situation = _stored_situation(connection, principal, engine, body, now_ms)
    else:
        situation = _hypothetical(connection, principal, engine, body, settings, now_ms)
    return _preview_json(decide(replace(situation, mode=Mode.LIVE), engine.settings))


def _preview_json(decision: Decision) -> dict[str, Any]:
    return {
        "nudge": None if decision.nudge is None else proposal_json(decision.nudge),
        "rule": None if decision.rule is None else decision.rule.value,
        "reasons": [reason.value for reason in decision.reasons],
    }


def _stored_situation(
    connection: Connection,
    principal: Principal,
    engine: SiteEngine,
    body: dict[str, Any],
    now_ms: int,
) -> Situation:
    extra = sorted(body.keys() - {"session_id"})
    if extra:
        raise InvalidRequest(f"Unknown field {extra[0]!r} with session_id.", param=extra[0])
    session_id = body["session_id"]
    session = None
    if isinstance(session_id, str) and ids.is_valid_id(session_id, ids.SESSION):
        lower_ms = api_window_start(principal, now_ms)
        session = repository.visible_session(
            connection, principal.site_id, principal.mode, session_id, lower_ms
        )
    if session is None:
        raise NotFound("No such session.", param="session_id")
    offers = repository.offers_of(connection, principal.site_id, principal.mode, session_id)
    return read_situation(
        connection, principal, engine, session, offers, now_ms=now_ms, tag_zones=()
    )


def _hypothetical(
    connection: Connection,
    principal: Principal,
    engine: SiteEngine,
    body: dict[str, Any],
    settings: Settings,
    now_ms: int,
) -> Situation:
    """A session made of the body's events, as if it had just started: no earlier offers."""
    extra = sorted(body.keys() - {"events", "visitor_id"})
    if extra:
        raise InvalidRequest(f"Unknown field {extra[0]!r} in the body.", param=extra[0])
    visitor_id = body.get("visitor_id")
    if visitor_id is not None and not (isinstance(visitor_id, str) and 0 < len(visitor_id) <= 128):
        raise InvalidRequest("visitor_id must be 1 to 128 characters.", param="visitor_id")
    batch = validate_batch({"events": body.get("events")}, principal, settings, now_ms)
    events = sorted((valid.event for valid in batch), key=lambda event: event.occurred_at)
    visitor = visitor_id or _visitor_of(batch)
    facts = fold_facts(events)
    return Situation(
        now_ms=now_ms,
        mode=Mode.LIVE,
        is_bot=False,
        facts=facts,
        intent_score=intent_score(events),
        offers=(),
        returning_visitor=visitor is not None
        and repository.has_earlier_session(
            connection, principal.site_id, principal.mode, visitor, events[0].occurred_at
        ),
        viewers=_viewers(connection, principal, facts.product, now_ms),
        held_out=is_held_out(
            principal.site_id,
            holdout_key(visitor, batch[-1].client_key),
            engine.settings.holdout_percent,
        ),
        within_allowance=_month_has_room(connection, principal, engine, now_ms),
    )


def _visitor_of(batch: Sequence[ValidEvent]) -> str | None:
    return next((v.visitor_id for v in reversed(batch) if v.visitor_id is not None), None)


def _viewers(
    connection: Connection, principal: Principal, product: Product | None, now_ms: int
) -> int:
    if product is None:
        return 0
    return repository.recent_viewers(
        connection,
        principal.site_id,
        principal.mode,
        product.product_id,
        since_ms=now_ms - POPULAR_WINDOW_MS,
        other_than="",
    )


def _month_has_room(
    connection: Connection, principal: Principal, engine: SiteEngine, now_ms: int
) -> bool:
    """Whether a live session starting now would be within this month's allowance."""
    if engine.allowance is None:
        return True
    used = usage.month_usage(connection, principal.site_id, usage.month_of(now_ms))
    return (used.get("sessions") or 0) < engine.allowance
