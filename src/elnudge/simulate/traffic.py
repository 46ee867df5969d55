"""Realistic storefront traffic, deterministic from a seed: sessions of SDK envelopes."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from elnudge.simulate.decisions import SimulatedOffer, SimulatedSite
from elnudge.simulate.journey import Journey, random_token
from elnudge.simulate.reactions import Reaction
from elnudge.simulate.visits import ARCHETYPES
from elnudge.timestamps import DAY_MS, HOUR_MS, MINUTE_MS
from elnudge.vocabulary import EventType, NudgeType

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

# Relative traffic by hour of day (from `start`): quiet nights, a lunch bump, a strong evening.
HOURLY_WEIGHTS: Final = (
    4,
    2,
    2,
    1,
    1,
    2,
    4,
    6,
    8,
    8,
    8,
    8,
    10,
    10,
    8,
    8,
    8,
    10,
    12,
    16,
    18,
    18,
    12,
    8,
)
IDENTIFIED_SHARE: Final = 0.33  # signed-in shoppers; returning visits lift the share to ~40%
RETURN_CHANCE: Final = 0.3  # an identified visitor comes back in a later session
SAME_DAY_RETURN: Final = 0.5  # ... half of them later the same day, the rest days later

_ARCHETYPE_NAMES: Final = tuple(ARCHETYPES)
_NEW_WEIGHTS: Final = tuple(weights[1] for weights in ARCHETYPES.values())
_RETURNING_WEIGHTS: Final = tuple(weights[2] for weights in ARCHETYPES.values())


@dataclass(frozen=True, slots=True)
class SimulatedSession:
    """One client session key's envelopes, oldest first, as the SDK would send them."""

    client_session_key: str
    visitor_id: str | None
    events: list[dict[str, Any]]
    converted: bool
    archetype: str
    offers: tuple[SimulatedOffer, ...] = ()  # the engine's offers, sent or held out
    reactions: tuple[tuple[str, NudgeType, Reaction], ...] = ()  # (nudge id, type, reaction)


def simulate_sessions(
    *,
    seed: int,
    start: datetime,
    days: int,
    sessions_per_day: int,
    base_url: str = "https://demo-shop.example",
    site: SimulatedSite | None = None,
) -> Iterator[SimulatedSession]:
    """Yield `days * sessions_per_day` sessions in the order they start.

    Every timestamp lies in [start, start + days]; a naive `start` is taken as UTC. The same
    arguments always give the same sessions, envelope ids included. The shoppers visit `site`
    (default: a site with the engine's default settings), whose engine decides their nudges; a
    site remembers the traffic it saw (for returning visitors, popular products, allowance), so
    give each simulation a new one.
    """
    site = SimulatedSite() if site is None else site
    rng = random.Random(seed)
    start_ms = _epoch_ms(start)
    end_ms = start_ms + days * DAY_MS
    returns: list[tuple[int, str]] = []  # heap of (due ms, visitor id)
    for day in range(days):
        for slot_ms in _start_times(rng, start_ms + day * DAY_MS, sessions_per_day):
            visitor_id, returning = _visitor_for(rng, returns, slot_ms)
            journey = Journey(
                rng,
                key="ses_" + random_token(rng, 22),
                visitor_id=visitor_id,
                base_url=base_url,
                start_ms=slot_ms,
                end_ms=end_ms,
                site=site,
            )
            archetype = _play(rng, journey, returning)
            if visitor_id is not None and rng.random() < RETURN_CHANCE:
                heapq.heappush(returns, (_return_time(rng, journey.now), visitor_id))
            yield SimulatedSession(
                client_session_key=journey.key,
                visitor_id=visitor_id,
                events=journey.events,
                converted=any(e["event"] == EventType.PURCHASE for e in journey.events),
                archetype=archetype,
                offers=tuple(journey.offers),
                reactions=tuple(journey.reactions),
            )


def _epoch_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(milliseconds=1)


def _start_times(rng: random.Random, day_ms: int, count: int) -> list[int]:
    hours = rng.choices(range(24), weights=HOURLY_WEIGHTS, k=count)
    return sorted(day_ms + hour * HOUR_MS + rng.randrange(HOUR_MS) for hour in hours)


def _visitor_for(
    rng: random.Random, returns: list[tuple[int, str]], slot_ms: int
) -> tuple[str | None, bool]:
    """Who starts this session: a visitor due back, a new identified one, or an anonymous one."""
    if returns and returns[0][0] <= slot_ms:
        return heapq.heappop(returns)[1], True
    if rng.random() < IDENTIFIED_SHARE:
        return "vis_" + random_token(rng, 16), False
    return None, False


def _return_time(rng: random.Random, last_ms: int) -> int:
    if rng.random() < SAME_DAY_RETURN:
        return last_ms + rng.randint(40 * MINUTE_MS, 6 * HOUR_MS)
    return last_ms + rng.randint(1, 10) * DAY_MS + rng.randrange(DAY_MS) - DAY_MS // 2


def _play(rng: random.Random, journey: Journey, returning: bool) -> str:
    weights = _RETURNING_WEIGHTS if returning else _NEW_WEIGHTS
    name = rng.choices(_ARCHETYPE_NAMES, weights=weights)[0]
    ARCHETYPES[name][0](journey)
    return name
