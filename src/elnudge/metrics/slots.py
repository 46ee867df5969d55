"""A period's counts per 15-minute slot of session start: what every report and page adds up.

Every number the nudge report and the dashboard show is a sum over sessions, each counted with
its start, so counts per slot add up to any period made of whole slots, and fold into the local
days of any time zone in use today (all are offset from UTC by whole quarter hours). `Slots`
holds them; `count_slots` counts them from the rows; `metrics.rollups` keeps whole days of them.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple, TypeVar

from sqlalchemy import Integer, case, func, select
from sqlalchemy.engine import Connection

from elnudge.db.tables import nudge_offers, nudges, sessions
from elnudge.metrics.period import NUDGES_OF_SESSIONS, Period, nudge_filter, session_filter
from elnudge.metrics.revenue import Credit, influenced_purchases
from elnudge.metrics.sql import count_distinct_where, count_true
from elnudge.reports import Arm, TypeCounts
from elnudge.timestamps import MINUTE_MS
from elnudge.vocabulary import NudgeType

SLOT_MS = 15 * MINUTE_MS


class SlotSessions(NamedTuple):
    """The sessions that started in a slot (bots excluded), or in several added up."""

    sessions: int = 0
    conversions: int = 0
    intent_total: int = 0  # the sum of their intent scores
    interacted: int = 0  # sessions with a nudge interaction (click, dismissal, chat opened)
    interacted_conversions: int = 0
    treatment: int = 0  # sessions whose proactive nudge the engine sent to the widget
    treatment_conversions: int = 0
    holdout: int = 0  # sessions whose proactive nudges were all held out
    holdout_conversions: int = 0

    @property
    def everyone(self) -> Arm:
        return Arm(self.sessions, self.conversions)

    @property
    def baseline(self) -> Arm:
        """Sessions with no nudge interaction."""
        return Arm(self.sessions - self.interacted, self.conversions - self.interacted_conversions)

    @property
    def treatment_arm(self) -> Arm:
        return Arm(self.treatment, self.treatment_conversions)

    @property
    def holdout_arm(self) -> Arm:
        return Arm(self.holdout, self.holdout_conversions)


class SlotTypes(NamedTuple):
    """One nudge type's nudges in the sessions of a slot: `TypeCounts`'s fields, unchecked (a
    month is thousands of these; `TypeCounts` checks the sums)."""

    shown: int = 0
    clicked: int = 0
    dismissed: int = 0
    chat_opened: int = 0
    sessions: int = 0
    conversions: int = 0
    influenced_conversions: int = 0


Counts = TypeVar("Counts", SlotSessions, SlotTypes)


def _added(one: Counts | None, other: Counts) -> Counts:
    return other if one is None else type(other)(*map(operator.add, one, other))


def _summed(counts: Iterable[Counts], empty: Counts) -> Counts:
    return type(empty)(*map(sum, zip(*counts, strict=True))) if counts else empty


@dataclass
class Slots:
    """Counts per slot: of sessions, and of each nudge type's nudges; and the influenced
    purchases, each with every session start that credits it (a purchase counts once, with the
    earliest: `first_credits`), or already added up per slot and currency (`revenue`: purchases
    counted once already, none of them among `credits`; metrics/rollups.py)."""

    sessions: dict[int, SlotSessions] = field(default_factory=dict)
    types: dict[tuple[int, NudgeType], SlotTypes] = field(default_factory=dict)
    credits: dict[tuple[str, int], Credit] = field(default_factory=dict)  # (event id, start)
    revenue: dict[tuple[int, str], Decimal] = field(default_factory=dict)  # (slot, currency)

    def credit(self, credit: Credit) -> None:
        self.credits[credit.event_id, credit.started_at] = credit

    def merge(self, other: Slots) -> None:
        """Add `other`'s counts (of other slots, or more of the same slots' sessions)."""
        for slot, counts in other.sessions.items():
            self.sessions[slot] = _added(self.sessions.get(slot), counts)
        for key, kind_counts in other.types.items():
            self.types[key] = _added(self.types.get(key), kind_counts)
        self.credits.update(other.credits)
        for slot_currency, amount in other.revenue.items():
            self.revenue[slot_currency] = self.revenue.get(slot_currency, Decimal(0)) + amount

    def total(self) -> SlotSessions:
        """Every slot's sessions added up."""
        return _summed(list(self.sessions.values()), SlotSessions())

    def by_type(self) -> dict[NudgeType, TypeCounts]:
        """Each nudge type shown, its counts added up over the slots (types never shown absent)."""
        per_type: dict[NudgeType, list[SlotTypes]] = {}
        for (_, kind), counts in self.types.items():
            per_type.setdefault(kind, []).append(counts)
        return {
            kind: TypeCounts(*_summed(listed, SlotTypes())) for kind, listed in per_type.items()
        }

    def first_credits(self) -> list[Credit]:
        """Each influenced purchase once, credited to the earliest session that led to it."""
        first: dict[str, Credit] = {}
        for credit in sorted(self.credits.values(), key=lambda credit: credit.started_at):
            first.setdefault(credit.event_id, credit)
        return list(first.values())

    def revenue_per_slot(self) -> dict[tuple[int, str], Decimal]:
        """The influenced revenue per slot and currency, each purchase counted once, with the
        earliest session that led to it."""
        revenue = dict(self.revenue)
        for credit in self.first_credits():
            key = (credit.started_at // SLOT_MS, credit.currency)
            revenue[key] = revenue.get(key, Decimal(0)) + credit.amount
        return revenue


def count_slots(connection: Connection, period: Period, *, credits: bool = True) -> Slots:
    """The period's counts per slot, counted from the sessions, nudges, offers and purchases
    (without the influenced purchases unless `credits`: only the Overview's revenue needs them)."""
    counted = Slots(
        sessions=_session_slots(connection, period), types=_type_slots(connection, period)
    )
    for credit in influenced_purchases(connection, period) if credits else ():
        counted.credit(credit)
    return counted


def _session_slots(connection: Connection, period: Period) -> dict[int, SlotSessions]:
    """One pass over the period's sessions, each looking up its own nudges and offers by the
    session's index (so a day costs what its sessions cost, however many other days there are).

    The lookups match site and session id only: a session id is unique within its site, so its
    nudges and offers are of its mode. Matching the mode too let SQLite, on a database it has
    no statistics for, prefer the (site, mode, shown_at) index and scan all the site's nudges
    for every session (1.6 s for one day of the demo store's 300 sessions; 6 ms without)."""
    reacted = (
        select(nudges.c.session_id)
        .where(
            nudges.c.site_id == sessions.c.site_id,
            nudges.c.session_id == sessions.c.session_id,
            nudges.c.last_interaction_at.is_not(None),
        )
        .exists()
    )
    # The experiment's arm (metrics/experiment.py): held out only if every proactive offer was;
    # NULL without a proactive offer.
    held = (
        select(func.min(nudge_offers.c.held_out.cast(Integer)))
        .where(
            nudge_offers.c.site_id == sessions.c.site_id,
            nudge_offers.c.session_id == sessions.c.session_id,
            nudge_offers.c.type != NudgeType.STICKY_BAR.value,
        )
        .scalar_subquery()
    )
    slot = (sessions.c.started_at // SLOT_MS).label("slot")
    # Grouped by every flag, so each session's lookups run once (as GROUP BY keys), and the
    # groups are folded into slots here.
    query = (
        select(
            slot,
            sessions.c.converted,
            case((reacted, 1), else_=0).label("reacted"),
            held.label("held"),
            func.count(),
            func.coalesce(func.sum(sessions.c.intent_score), 0),
        )
        .where(session_filter(period))
        .group_by(slot, sessions.c.converted, "reacted", "held")
    )
    counted: dict[int, SlotSessions] = {}
    for at, converted, reacted_to_nudge, arm, number, intent in connection.execute(query).all():
        total, converts = int(number), int(number) if converted else 0
        group = SlotSessions(
            sessions=total,
            conversions=converts,
            intent_total=int(intent),
            interacted=total if reacted_to_nudge else 0,
            interacted_conversions=converts if reacted_to_nudge else 0,
            treatment=total if arm == 0 else 0,
            treatment_conversions=converts if arm == 0 else 0,
            holdout=total if arm == 1 else 0,
            holdout_conversions=converts if arm == 1 else 0,
        )
        counted[int(at)] = _added(counted.get(int(at)), group)
    return counted


def _type_slots(connection: Connection, period: Period) -> dict[tuple[int, NudgeType], SlotTypes]:
    """Per slot and nudge type shown: nudges shown, nudges with at least one click / dismissal /
    chat opening, the sessions that showed the type and how many of those converted, and the
    nudges that influenced a conversion."""
    slot = (sessions.c.started_at // SLOT_MS).label("slot")
    query = (
        select(
            slot,
            nudges.c.type,
            func.count(),
            count_true(nudges.c.clicked),
            count_true(nudges.c.dismissed),
            count_true(nudges.c.chat_opened),
            func.count(func.distinct(sessions.c.session_id)),
            count_distinct_where(sessions.c.converted.is_(True), sessions.c.session_id),
            count_true(nudges.c.influenced_conversion),
        )
        .select_from(sessions.join(nudges, NUDGES_OF_SESSIONS))
        .where(nudge_filter(period))
        .group_by(slot, nudges.c.type)
    )
    known = {kind.value: kind for kind in NudgeType}
    counts: dict[tuple[int, NudgeType], SlotTypes] = {}
    for at, kind, *numbers in connection.execute(query).all():
        if kind in known:  # a type this version does not know is no report row
            counts[int(at), known[kind]] = SlotTypes(*map(int, numbers))
    return counts
