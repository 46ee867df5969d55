"""The nudge report's counts per nudge type, and its baseline (GET /v1/reports/nudges).

Two aggregate queries over the period's sessions joined to their nudges, whatever their number:
the database counts, Python only reads a handful of rows back.
"""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from elnudge.db.tables import nudges, sessions
from elnudge.metrics.period import Period, session_filter
from elnudge.metrics.sql import count_distinct_where, count_true
from elnudge.reports import Arm, TypeCounts
from elnudge.vocabulary import NudgeType

_NUDGES_OF_SESSIONS = and_(
    nudges.c.site_id == sessions.c.site_id,
    nudges.c.mode == sessions.c.mode,
    nudges.c.session_id == sessions.c.session_id,
)


def type_counts(connection: Connection, period: Period) -> dict[NudgeType, TypeCounts]:
    """Per nudge type shown in the period's sessions: nudges shown, nudges with at least one
    click / dismissal / chat opening, the sessions that showed the type and how many of those
    converted, and the nudges that influenced a conversion. Types never shown are absent."""
    query = (
        select(
            nudges.c.type,
            func.count(),
            count_true(nudges.c.clicked),
            count_true(nudges.c.dismissed),
            count_true(nudges.c.chat_opened),
            func.count(func.distinct(sessions.c.session_id)),
            count_distinct_where(sessions.c.converted.is_(True), sessions.c.session_id),
            count_true(nudges.c.influenced_conversion),
        )
        .select_from(sessions.join(nudges, _NUDGES_OF_SESSIONS))
        .where(session_filter(period))
        .group_by(nudges.c.type)
    )
    known = {kind.value: kind for kind in NudgeType}
    counts: dict[NudgeType, TypeCounts] = {}
    for kind, *numbers in connection.execute(query):
        if kind in known:  # a type this version does not know is no report row
            shown, clicked, dismissed, chat_opened, shown_in, converted, influenced = numbers
            counts[known[kind]] = TypeCounts(
                shown=int(shown),
                clicked=int(clicked),
                dismissed=int(dismissed),
                chat_opened=int(chat_opened),
                sessions=int(shown_in),
                conversions=int(converted),
                influenced_conversions=int(influenced),
            )
    return counts


def all_sessions(connection: Connection, period: Period) -> Arm:
    """Every session of the period, and how many converted."""
    query = select(func.count(), count_true(sessions.c.converted)).where(session_filter(period))
    total, converted = connection.execute(query).one()
    return Arm(sessions=int(total), conversions=int(converted))


def interacted_sessions(connection: Connection, period: Period) -> Arm:
    """The period's sessions where the shopper reacted to a nudge (clicked, dismissed or
    opened the chat of one), and how many converted."""
    query = (
        select(
            func.count(func.distinct(sessions.c.session_id)),
            count_distinct_where(sessions.c.converted.is_(True), sessions.c.session_id),
        )
        .select_from(sessions.join(nudges, _NUDGES_OF_SESSIONS))
        .where(session_filter(period), nudges.c.last_interaction_at.is_not(None))
    )
    total, converted = connection.execute(query).one()
    return Arm(sessions=int(total), conversions=int(converted))


def baseline(connection: Connection, period: Period) -> Arm:
    """The report's `baseline`: the period's sessions with no nudge interaction (a nudge only
    shown, a held-out visitor and a session without nudges all count), and their conversions."""
    everyone = all_sessions(connection, period)
    reacted = interacted_sessions(connection, period)
    return Arm(
        sessions=everyone.sessions - reacted.sessions,
        conversions=everyone.conversions - reacted.conversions,
    )
