"""Every per-session count of the nudge report in one pass over the period's sessions: all of
them, those with a nudge interaction (the baseline is the rest), and the experiment's two arms.

The same numbers as `nudge_counts.all_sessions` / `interacted_sessions` and
`experiment.experiment_arms` (a test holds them equal), read with one scan of the sessions index
instead of three joins: the nudges and offers are first reduced to one row per session, which
the database then matches against the period's sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, and_, func, select
from sqlalchemy.engine import Connection

from elnudge.db.tables import nudge_offers, nudges, sessions
from elnudge.metrics.period import Period, session_filter
from elnudge.metrics.sql import count_true
from elnudge.reports import Arm
from elnudge.vocabulary import NudgeType


@dataclass(frozen=True, slots=True)
class SessionCounts:
    everyone: Arm
    interacted: Arm  # sessions with a nudge interaction
    treatment: Arm
    holdout: Arm

    @property
    def baseline(self) -> Arm:
        """Sessions with no nudge interaction."""
        return Arm(
            sessions=self.everyone.sessions - self.interacted.sessions,
            conversions=self.everyone.conversions - self.interacted.conversions,
        )


def session_counts(connection: Connection, period: Period) -> SessionCounts:
    """All four groups of the period's sessions, with their conversions, in one query."""
    reacted = (
        select(nudges.c.session_id)
        .where(
            nudges.c.site_id == period.site_id,
            nudges.c.mode == period.mode,
            # A nudge is shown during its session, so never before the period's sessions began.
            nudges.c.shown_at >= period.from_ms,
            nudges.c.last_interaction_at.is_not(None),
        )
        .group_by(nudges.c.session_id)
        .subquery()
    )
    arms = (
        select(
            nudge_offers.c.session_id,
            func.min(nudge_offers.c.held_out.cast(Integer)).label("held"),
        )
        .where(
            nudge_offers.c.site_id == period.site_id,
            nudge_offers.c.mode == period.mode,
            nudge_offers.c.type != NudgeType.STICKY_BAR.value,
        )
        .group_by(nudge_offers.c.session_id)
        .subquery()
    )
    converted = sessions.c.converted.is_(True)
    in_reacted = reacted.c.session_id.is_not(None)
    treated = arms.c.held == 0
    held = arms.c.held == 1
    query = (
        select(
            func.count(),
            count_true(sessions.c.converted),
            count_true(in_reacted),
            count_true(and_(in_reacted, converted)),
            count_true(treated),
            count_true(and_(treated, converted)),
            count_true(held),
            count_true(and_(held, converted)),
        )
        .select_from(
            sessions.outerjoin(reacted, reacted.c.session_id == sessions.c.session_id).outerjoin(
                arms, arms.c.session_id == sessions.c.session_id
            )
        )
        .where(session_filter(period))
    )
    n, x, n_i, x_i, n_t, x_t, n_h, x_h = (int(v) for v in connection.execute(query).one())
    return SessionCounts(
        everyone=Arm(n, x),
        interacted=Arm(n_i, x_i),
        treatment=Arm(n_t, x_t),
        holdout=Arm(n_h, x_h),
    )
