"""The sessions a metric is about: one site, one mode, humans only, started in a period."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false

from elnudge.db.tables import nudges, sessions
from elnudge.timestamps import SECOND_MS


@dataclass(frozen=True, slots=True)
class Period:
    """Sessions of `site_id` in `mode` that started in [from_ms, to_ms) (epoch milliseconds).

    Every metric counts sessions by when they **started**, as `GET /v1/sessions` lists them and
    `GET /v1/reports/nudges` reports them: a nudge or a purchase counts with its session's start,
    so a day's numbers never change because a session ran past midnight.
    """

    site_id: str
    mode: str
    from_ms: int
    to_ms: int

    def within(self, earliest_ms: int) -> Period:
        """This period without what started before `earliest_ms` (the plan's API window: what
        the API cannot show, the dashboard does not count either)."""
        return replace(self, from_ms=max(self.from_ms, earliest_ms))


def local_days(site_id: str, mode: str, first: date, last: date, zone: ZoneInfo) -> Period:
    """The period from midnight of `first` to the midnight after `last`, in `zone` (an IANA time
    zone: days are 23 or 25 hours long when the clocks change)."""
    return Period(site_id, mode, _midnight_ms(first, zone), _midnight_ms(last + timedelta(1), zone))


def _midnight_ms(day: date, zone: ZoneInfo) -> int:
    return int(datetime.combine(day, time(), zone).timestamp()) * SECOND_MS


def session_filter(period: Period) -> ColumnElement[bool]:
    """The `sessions` rows of the period: its site and mode, no bots, started within it."""
    return and_(
        sessions.c.site_id == period.site_id,
        sessions.c.mode == period.mode,
        sessions.c.is_bot == false(),
        sessions.c.started_at >= period.from_ms,
        sessions.c.started_at < period.to_ms,
    )


# A session's nudges: a session id is unique within its site, so they are of its mode. Matching
# the mode too let SQLite, without statistics, walk the (site, mode, shown_at) index for every
# session instead of looking the session up in (site, session_id).
NUDGES_OF_SESSIONS = and_(
    nudges.c.site_id == sessions.c.site_id, nudges.c.session_id == sessions.c.session_id
)


def nudge_filter(period: Period) -> ColumnElement[bool]:
    """The period's sessions, plus a bound the database can use on `nudges`: a nudge is shown
    during its session, so never before the session started (nor before the period)."""
    return and_(session_filter(period), nudges.c.shown_at >= period.from_ms)
