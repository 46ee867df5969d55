"""Resources named like the URLs: `client.sessions`, `client.nudges`, `client.events`,
`client.reports`, `client.visitors`. Each method builds its `Call` (in `calls`) and sends it;
the async twins have the same names and arguments."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from elnudge.client import calls
from elnudge.client.calls import PageBody, Query, Time
from elnudge.client.models import (
    IngestResult,
    Nudge,
    NudgePreview,
    Session,
    SessionDetail,
    VisitorDeletion,
)
from elnudge.client.nudge_report import NudgeReport
from elnudge.client.pages import AsyncPage, Page
from elnudge.client.requester import AsyncRequester, Requester

T = TypeVar("T")
EventList = Sequence[Mapping[str, Any]]


class _Resource:
    def __init__(self, requester: Requester) -> None:
        self._requester = requester

    def _page(
        self,
        call: Callable[[Query], calls.Call[PageBody]],
        query: Query,
        item: Callable[[dict[str, Any]], T],
    ) -> Page[T]:
        def fetch(cursor: str) -> Page[T]:
            return self._page(call, {**query, "cursor": cursor}, item)

        return Page(self._requester.send(call(query)), item, fetch)


class _AsyncResource:
    def __init__(self, requester: AsyncRequester) -> None:
        self._requester = requester

    async def _page(
        self,
        call: Callable[[Query], calls.Call[PageBody]],
        query: Query,
        item: Callable[[dict[str, Any]], T],
    ) -> AsyncPage[T]:
        async def fetch(cursor: str) -> AsyncPage[T]:
            return await self._page(call, {**query, "cursor": cursor}, item)

        return AsyncPage(await self._requester.send(call(query)), item, fetch)


class Sessions(_Resource):
    """`/v1/sessions`: sessions newest first, and one session with its events and nudges."""

    def list(
        self,
        *,
        from_: Time | None = None,
        to: Time | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Session]:
        """A page of sessions that started in [`from_`, `to`) (default: the last 30 days),
        newest first; `limit` 1–200 (default 50). Walk them all with `.auto_paging_iter()`."""
        query = calls.list_query(from_=from_, to=to, limit=limit, cursor=cursor)
        return self._page(calls.list_sessions, query, Session.from_api)

    def retrieve(self, session_id: str) -> SessionDetail:
        """One session with its event log (oldest first) and nudges (newest first)."""
        return self._requester.send(calls.retrieve_session(session_id))


class AsyncSessions(_AsyncResource):
    """`/v1/sessions`: sessions newest first, and one session with its events and nudges."""

    async def list(
        self,
        *,
        from_: Time | None = None,
        to: Time | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPage[Session]:
        """A page of sessions that started in [`from_`, `to`) (default: the last 30 days),
        newest first; `limit` 1–200 (default 50). Walk them all with `.auto_paging_iter()`."""
        query = calls.list_query(from_=from_, to=to, limit=limit, cursor=cursor)
        return await self._page(calls.list_sessions, query, Session.from_api)

    async def retrieve(self, session_id: str) -> SessionDetail:
        """One session with its event log (oldest first) and nudges (newest first)."""
        return await self._requester.send(calls.retrieve_session(session_id))


class Nudges(_Resource):
    """`/v1/nudges`: nudges shown, newest first, and what the engine would decide."""

    def list(
        self,
        *,
        session_id: str | None = None,
        type: str | None = None,
        from_: Time | None = None,
        to: Time | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Nudge]:
        """A page of shown nudges (filters: `session_id`, `type`, [`from_`, `to`))."""
        query = calls.list_query(
            session_id=session_id, type=type, from_=from_, to=to, limit=limit, cursor=cursor
        )
        return self._page(calls.list_nudges, query, Nudge.from_api)

    def preview(
        self,
        *,
        session_id: str | None = None,
        events: EventList | None = None,
        visitor_id: str | None = None,
    ) -> NudgePreview:
        """The engine's decision for a stored session or for hypothetical events; nothing is
        stored."""
        return self._requester.send(calls.preview_nudge(session_id, events, visitor_id))


class AsyncNudges(_AsyncResource):
    """`/v1/nudges`: nudges shown, newest first, and what the engine would decide."""

    async def list(
        self,
        *,
        session_id: str | None = None,
        type: str | None = None,
        from_: Time | None = None,
        to: Time | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPage[Nudge]:
        """A page of shown nudges (filters: `session_id`, `type`, [`from_`, `to`))."""
        query = calls.list_query(
            session_id=session_id, type=type, from_=from_, to=to, limit=limit, cursor=cursor
        )
        return await self._page(calls.list_nudges, query, Nudge.from_api)

    async def preview(
        self,
        *,
        session_id: str | None = None,
        events: EventList | None = None,
        visitor_id: str | None = None,
    ) -> NudgePreview:
        """The engine's decision for a stored session or for hypothetical events; nothing is
        stored."""
        return await self._requester.send(calls.preview_nudge(session_id, events, visitor_id))


class Events(_Resource):
    """`/v1/events`: server-to-server ingestion."""

    def send(self, events: EventList) -> IngestResult:
        """Store up to 1,000 events, all or nothing. Events without an `event_id` get one, so
        a retried request never stores an event twice."""
        return self._requester.send(calls.send_events(events))


class AsyncEvents(_AsyncResource):
    """`/v1/events`: server-to-server ingestion."""

    async def send(self, events: EventList) -> IngestResult:
        """Store up to 1,000 events, all or nothing. Events without an `event_id` get one, so
        a retried request never stores an event twice."""
        return await self._requester.send(calls.send_events(events))


class Reports(_Resource):
    """`/v1/reports`: how nudges perform."""

    def nudges(self, *, from_: Time | None = None, to: Time | None = None) -> NudgeReport:
        """Per-type funnels, the baseline and the holdout experiment, over sessions that
        started in [`from_`, `to`) (default: the last 30 days)."""
        return self._requester.send(calls.nudge_report(calls.list_query(from_=from_, to=to)))


class AsyncReports(_AsyncResource):
    """`/v1/reports`: how nudges perform."""

    async def nudges(self, *, from_: Time | None = None, to: Time | None = None) -> NudgeReport:
        """Per-type funnels, the baseline and the holdout experiment, over sessions that
        started in [`from_`, `to`) (default: the last 30 days)."""
        query = calls.list_query(from_=from_, to=to)
        return await self._requester.send(calls.nudge_report(query))


class Visitors(_Resource):
    """`/v1/visitors`: erasure."""

    def delete(self, visitor_id: str) -> VisitorDeletion:
        """Erase every session, event and nudge of this `visitor_id` (safe to repeat)."""
        return self._requester.send(calls.delete_visitor(visitor_id))


class AsyncVisitors(_AsyncResource):
    """`/v1/visitors`: erasure."""

    async def delete(self, visitor_id: str) -> VisitorDeletion:
        """Erase every session, event and nudge of this `visitor_id` (safe to repeat)."""
        return await self._requester.send(calls.delete_visitor(visitor_id))
