"""The holdout experiment's counts (GET /v1/reports/nudges, `experiment`).

The experiment's sessions are those for which the engine decided a **proactive** nudge (every
type but the sticky bar, which the holdout does not withhold): the decision is the point where
the two arms part. A session whose proactive offers were all held out is in the **holdout**; a
session with at least one offer sent to the widget is in the **treatment**, whether or not the
widget then drew it (intent to treat: the holdout cannot fail to draw, so counting only drawn
nudges would compare unlike groups). A session keeps the arm of its first offer
(`nudges/decisions.py`); should its offers ever disagree, one sent to the widget puts it in the
treatment.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Integer, and_, func, select
from sqlalchemy.engine import Connection

from elnudge.db.tables import nudge_offers, sessions
from elnudge.metrics.period import Period, session_filter
from elnudge.metrics.sql import count_true
from elnudge.reports import Arm, ExperimentCounts
from elnudge.timestamps import DAY_MS, SECOND_MS
from elnudge.vocabulary import NudgeType

RECENT_DAYS = 7  # `recent_daily_sessions`: the last whole week, so weekdays even out


def experiment_arms(connection: Connection, period: Period) -> tuple[Arm, Arm]:
    """(treatment, holdout) over the period's sessions."""
    held = func.min(nudge_offers.c.held_out.cast(Integer)).label("held")
    per_session = (
        select(sessions.c.session_id, sessions.c.converted, held)
        .select_from(
            sessions.join(
                nudge_offers,
                and_(
                    nudge_offers.c.site_id == sessions.c.site_id,
                    nudge_offers.c.mode == sessions.c.mode,
                    nudge_offers.c.session_id == sessions.c.session_id,
                ),
            )
        )
        .where(session_filter(period), nudge_offers.c.type != NudgeType.STICKY_BAR.value)
        .group_by(sessions.c.session_id, sessions.c.converted)
        .subquery()
    )
    query = select(per_session.c.held, func.count(), count_true(per_session.c.converted)).group_by(
        per_session.c.held
    )
    arms = {0: Arm(0, 0), 1: Arm(0, 0)}
    for held_out, total, converted in connection.execute(query):
        arms[int(held_out)] = Arm(sessions=int(total), conversions=int(converted))
    return arms[0], arms[1]


def recent_daily_sessions(connection: Connection, site_id: str, mode: str, now_ms: int) -> float:
    """The experiment's sessions (both arms) per day over the last 7 whole UTC days."""
    today = _utc_midnight(now_ms)
    week = Period(site_id, mode, today - RECENT_DAYS * DAY_MS, today)
    treatment, holdout = experiment_arms(connection, week)
    return (treatment.sessions + holdout.sessions) / RECENT_DAYS


def experiment_counts(
    connection: Connection, period: Period, *, holdout_share: float, now_ms: int
) -> ExperimentCounts:
    """Both arms over the period, the site's holdout share (a fraction) and recent traffic."""
    treatment, holdout = experiment_arms(connection, period)
    return ExperimentCounts(
        treatment=treatment,
        holdout=holdout,
        holdout_share=holdout_share,
        recent_daily_sessions=recent_daily_sessions(
            connection, period.site_id, period.mode, now_ms
        ),
    )


def _utc_midnight(ms: int) -> int:
    day = datetime.fromtimestamp(ms // SECOND_MS, UTC).date()
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * SECOND_MS
