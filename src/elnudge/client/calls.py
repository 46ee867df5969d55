"""Every operation of the API, described once as a `Call`: method, path, query, body, and how
to read the answer. The sync and async resources both send these, so an endpoint's rules live
in one place; adding an endpoint is one function here and a line in each resource.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from elnudge.client.models import (
    IngestResult,
    NudgePreview,
    SessionDetail,
    VisitorDeletion,
)
from elnudge.client.nudge_report import NudgeReport

T = TypeVar("T")
Time = datetime | str
Query = dict[str, str | int]


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One request. `parse` turns the decoded JSON answer into the result; `retry_safe` says
    whether sending it twice is harmless (see `retries`)."""

    method: str
    path: str
    parse: Callable[[Any], T]
    params: Query | None = None
    body: Any = None
    retry_safe: bool = True


@dataclass(frozen=True, slots=True)
class PageBody:
    """A list answer as it came: items exactly as the API gave them, and where to go next."""

    data: list[dict[str, Any]]
    has_more: bool
    next_cursor: str | None

    @classmethod
    def from_api(cls, body: Mapping[str, Any]) -> PageBody:
        return cls(body["data"], body["has_more"], body["next_cursor"])


def format_time(value: Time) -> str:
    """A `from`/`to` parameter: strings go as given; a naive datetime is UTC (as in the API)."""
    if isinstance(value, str):
        return value
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def list_query(**given: Time | int | None) -> Query:
    """The query string of a list: parameters left out are the server's defaults. `from_`
    becomes `from` (a Python keyword)."""
    query: Query = {}
    for name, value in given.items():
        if value is None:
            continue
        key = name.rstrip("_")
        query[key] = value if isinstance(value, int) else format_time(value)
    return query


def _data(kind: Callable[[Any], T]) -> Callable[[Any], T]:
    """Read `{"data": …}` answers."""
    return lambda body: kind(body["data"])


def list_sessions(query: Query) -> Call[PageBody]:
    return Call("GET", "/v1/sessions", PageBody.from_api, params=query)


def retrieve_session(session_id: str) -> Call[SessionDetail]:
    return Call("GET", f"/v1/sessions/{_segment(session_id)}", _data(SessionDetail.from_api))


def list_nudges(query: Query) -> Call[PageBody]:
    return Call("GET", "/v1/nudges", PageBody.from_api, params=query)


def preview_nudge(
    session_id: str | None,
    events: Sequence[Mapping[str, Any]] | None,
    visitor_id: str | None,
) -> Call[NudgePreview]:
    """Either a stored session or hypothetical events (with an optional visitor), not both."""
    if (session_id is None) == (events is None):
        raise ValueError("preview takes either session_id or events")
    body: dict[str, Any] = (
        {"session_id": session_id} if session_id is not None else {"events": list(events or ())}
    )
    if visitor_id is not None:
        body["visitor_id"] = visitor_id
    return Call("POST", "/v1/nudges/preview", _data(NudgePreview.from_api), body=body)


def nudge_report(query: Query) -> Call[NudgeReport]:
    return Call("GET", "/v1/reports/nudges", _data(NudgeReport.from_api), params=query)


def delete_visitor(visitor_id: str) -> Call[VisitorDeletion]:
    # Repeatable by contract: a second delete answers 200 with zeros.
    return Call("DELETE", f"/v1/visitors/{_segment(visitor_id)}", VisitorDeletion.from_api)


def send_events(events: Sequence[Mapping[str, Any]]) -> Call[IngestResult]:
    """`POST /v1/events`. Every event gets an `event_id` (a random UUID) unless it has one, so
    a retried batch is stored once; `ts` may be a datetime."""
    prepared = [_with_event_id(event) for event in events]
    ids = tuple(str(event["event_id"]) for event in prepared)

    def parse(body: Mapping[str, Any]) -> IngestResult:
        return IngestResult(body["accepted"], body["duplicates"], ids)

    return Call("POST", "/v1/events", parse, body={"events": prepared}, retry_safe=True)


def _with_event_id(event: Mapping[str, Any]) -> dict[str, Any]:
    prepared = dict(event)
    if prepared.get("event_id") is None:
        prepared["event_id"] = str(uuid.uuid4())
    if isinstance(prepared.get("ts"), datetime):
        prepared["ts"] = format_time(prepared["ts"])
    return prepared


def raw(method: str, path: str, params: Mapping[str, str | int] | None, body: Any) -> Call[Any]:
    """Any request, answered as decoded JSON; only methods safe to repeat are retried."""
    verb = method.upper()
    query = dict(params) if params is not None else None
    return Call(verb, path, lambda answer: answer, query, body, verb in ("GET", "HEAD", "DELETE"))


def _segment(value: str) -> str:
    """An id as one path segment: `/`, `?` and `#` cannot change the URL."""
    if not value:
        raise ValueError("an id must not be empty")
    return quote(value, safe="")
