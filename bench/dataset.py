"""Realistic rows at scale: a pool of simulated sessions, replayed at new times with new ids.

Simulating and scoring every one of 10M sessions in Python would take hours, so the generator
simulates a pool of sessions once (the real simulator, validation, `summarize` and
`score_history`), then places copies of them across the period. Derived fields depend only on
the time differences between a session's events, so a shifted copy keeps them exactly.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson

from elnudge.attribution import influenced, reaction_flags
from elnudge.events.duplicates import id_scope
from elnudge.events.validation import TimeBounds, validate_envelope
from elnudge.sessions.summary import summarize
from elnudge.simulate import simulate_sessions
from elnudge.simulate.traffic import HOURLY_WEIGHTS
from elnudge.timestamps import DAY_MS, HOUR_MS
from elnudge.vocabulary import KeyKind

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BOT_SHARE = 0.02  # flagged bot sessions: stored, never listed
TEST_SHARE = 0.03  # test-mode sessions


@dataclass(frozen=True, slots=True)
class Template:
    """One simulated, summarised session, with times relative to its start."""

    client_key: str
    visitor_id: str | None
    session: tuple[int, int, int, bool, int, int]  # ended, pages, score, converted, nudges, n
    # (type, offset ms, url, data json, score, client event id)
    events: list[tuple[str, int, str, str, int, str | None]]
    # (nudge id, type, shown offset, outcome, last interaction offset or None, influenced,
    #  clicked, dismissed, chat opened)
    nudges: list[tuple[str, str, int, str, int | None, bool, bool, bool, bool]]


def build_pool(size: int, seed: int) -> list[Template]:
    """`size` sessions from the simulator, validated and summarised by the server's own code."""
    bounds = TimeBounds(oldest_ms=0, newest_ms=2**62)
    pool = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for simulated in simulate_sessions(seed=seed, start=start, days=1, sessions_per_day=size):
        valid = [validate_envelope(raw, bounds) for raw in simulated.events]
        valid.sort(key=lambda v: (v.event.occurred_at, v.client_event_id or ""))
        events = [v.event for v in valid]
        summary = summarize(events)
        base = summary.started_at
        pool.append(
            Template(
                client_key=simulated.client_session_key,
                visitor_id=simulated.visitor_id,
                session=(
                    summary.ended_at - base,
                    summary.page_count,
                    summary.intent_score,
                    summary.converted,
                    summary.nudge_count,
                    summary.event_count,
                ),
                events=[
                    (
                        v.event.type,
                        v.event.occurred_at - base,
                        v.event.url,
                        orjson.dumps(v.event.data).decode(),
                        score,
                        v.client_event_id,
                    )
                    for v, score in zip(valid, summary.scores, strict=True)
                ],
                nudges=[
                    (
                        n.nudge_id,
                        n.type,
                        n.shown_at - base,
                        n.outcome,
                        None if n.last_interaction_at is None else n.last_interaction_at - base,
                        influenced(n.last_interaction_at, summary.purchase_times),
                        flags["clicked"],
                        flags["dismissed"],
                        flags["chat_opened"],
                    )
                    for n in summary.nudges
                    for flags in (reaction_flags(n.reactions),)
                ],
            )
        )
    return pool


def ulid(ms: int, serial: int) -> str:
    """A valid, time-ordered ULID: 48-bit time, then a serial number instead of randomness."""
    value = (ms << 80) | (serial & ((1 << 80) - 1))
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(CROCKFORD[digit])
    return "".join(reversed(chars))


@dataclass(frozen=True, slots=True)
class Site:
    site_id: str
    share: float


@dataclass(slots=True)
class Batch:
    """Rows for the four tables, as tuples in `COLUMNS` order."""

    sessions: list[tuple[object, ...]]
    events: list[tuple[object, ...]]
    nudges: list[tuple[object, ...]]
    offers: list[tuple[object, ...]] = field(default_factory=list)


COLUMNS = {
    "sessions": (
        "site_id",
        "session_id",
        "mode",
        "client_key",
        "visitor_id",
        "started_at",
        "ended_at",
        "page_count",
        "intent_score",
        "converted",
        "nudge_count",
        "event_count",
        "is_bot",
    ),
    "events": (
        "site_id",
        "event_id",
        "mode",
        "session_id",
        "client_key",
        "client_event_id",
        "id_scope",
        "visitor_id",
        "type",
        "occurred_at",
        "url",
        "data",
        "intent_score",
        "received_at",
    ),
    "nudges": (
        "site_id",
        "nudge_id",
        "mode",
        "session_id",
        "visitor_id",
        "type",
        "shown_at",
        "outcome",
        "last_interaction_at",
        "influenced_conversion",
        "clicked",
        "dismissed",
        "chat_opened",
    ),
    "nudge_offers": (
        "site_id",
        "mode",
        "nudge_id",
        "session_id",
        "visitor_id",
        "type",
        "rule",
        "offered_at",
        "held_out",
        "engine_version",
    ),
}
# The holdout experiment (the nudge report): every 10th session with nudges is held out, so
# its proactive nudges become held-out offers instead of shown nudges; the others' proactive
# nudges are offers sent to the widget. (Held-out sessions keep their simulated NUDGE_* events:
# the report reads sessions, nudges and offers only.)
HOLDOUT_EVERY = 10


@dataclass(frozen=True, slots=True)
class Plan:
    """What to generate: `total` sessions over `days` days ending at `end_ms`."""

    total: int
    days: int
    end_ms: int
    sites: tuple[Site, ...]
    with_events: int  # the first this-many sessions of each day share get events and nudges
    seed: int = 7


def start_times(rng: random.Random, plan: Plan) -> Iterator[int]:
    """Session start times in increasing order, with the simulator's hour-of-day profile."""
    per_day, extra = divmod(plan.total, plan.days)
    first_day = plan.end_ms - plan.days * DAY_MS
    for day in range(plan.days):
        count = per_day + (1 if day < extra else 0)
        hours = rng.choices(range(24), weights=HOURLY_WEIGHTS, k=count)
        day_ms = first_day + day * DAY_MS
        # The last day is cut before end_ms, so every session has started by then.
        times = sorted(day_ms + hour * HOUR_MS + rng.randrange(HOUR_MS) for hour in hours)
        yield from (t for t in times if t < plan.end_ms - HOUR_MS)


def generate(plan: Plan, pool: list[Template], batch_size: int = 20_000) -> Iterator[Batch]:
    """Every row of the plan, in batches, in started_at order."""
    rng = random.Random(plan.seed)
    site_ids = [site.site_id for site in plan.sites]
    shares = [site.share for site in plan.sites]
    event_every = max(1, round(plan.total / max(plan.with_events, 1)))
    batch = Batch([], [], [])
    for serial, started_at in enumerate(start_times(rng, plan)):
        template = pool[serial % len(pool)]
        site_id = rng.choices(site_ids, weights=shares)[0]
        mode = "test" if rng.random() < TEST_SHARE else "live"
        is_bot = rng.random() < BOT_SHARE
        copy = serial // len(pool)
        session_id = "sess_" + ulid(started_at, serial)
        client_key = f"{template.client_key}.{copy}"
        visitor = None if template.visitor_id is None else f"{template.visitor_id}.{copy}"
        ended, pages, score, converted, nudge_count, count = template.session
        batch.sessions.append(
            (
                site_id,
                session_id,
                mode,
                client_key,
                visitor,
                started_at,
                started_at + ended,
                pages,
                score,
                converted,
                nudge_count,
                count,
                is_bot,
            )
        )
        if plan.with_events and serial % event_every == 0:
            _add_detail(
                batch, template, serial, site_id, mode, session_id, client_key, visitor, started_at
            )
        if len(batch.sessions) >= batch_size:
            yield batch
            batch = Batch([], [], [])
    if batch.sessions:
        yield batch


def _add_detail(
    batch: Batch,
    template: Template,
    serial: int,
    site_id: str,
    mode: str,
    session_id: str,
    client_key: str,
    visitor: str | None,
    started_at: int,
) -> None:
    """The session's events and nudges, with fresh ids (nudge ids rewritten in event data)."""
    renamed = {
        old: f"nudg_{ulid(started_at + shown, serial * 8 + index)}"
        for index, (old, _, shown, *_rest) in enumerate(template.nudges)
    }
    for index, (kind, offset, url, data, score, client_id) in enumerate(template.events):
        at = started_at + offset
        if kind.startswith("NUDGE_"):
            for old, new in renamed.items():
                data = data.replace(old, new)
        batch.events.append(
            (
                site_id,
                "evt_" + ulid(at, serial * 512 + index),
                mode,
                session_id,
                client_key,
                None if client_id is None else f"{client_id}.{serial}",
                id_scope(KeyKind.PUBLIC, client_key),  # simulated storefront traffic
                visitor,
                kind,
                at,
                url,
                data,
                score,
                at + 1500,
            )
        )
    held_out = serial % HOLDOUT_EVERY == 0
    for old, kind, shown, outcome, last, was_influenced, *reactions in template.nudges:
        if kind != "sticky_bar":
            batch.offers.append(
                (
                    site_id,
                    mode,
                    renamed[old],
                    session_id,
                    visitor,
                    kind,
                    "bench",
                    started_at + shown,
                    held_out,
                    "bench",
                )
            )
            if held_out:
                continue
        batch.nudges.append(
            (
                site_id,
                renamed[old],
                mode,
                session_id,
                visitor,
                kind,
                started_at + shown,
                outcome,
                None if last is None else started_at + last,
                was_influenced,
                *reactions,
            )
        )
