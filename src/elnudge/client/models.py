"""Typed results: frozen dataclasses built from the API's JSON, one per object of the API.

Times become aware UTC `datetime`s; nudge types and outcomes become the shared StrEnums (which
compare equal to their strings), and a value the client does not know yet stays a plain string
rather than failing: a newer server must not break an older client. Dataclasses rather than
pydantic models keep `import elnudge.client` light.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from elnudge.vocabulary import NudgeType, Outcome

Json = Mapping[str, Any]
_Enum = TypeVar("_Enum", bound=StrEnum)


def parse_time(text: str) -> datetime:
    """`2026-04-29T10:14:32Z` as an aware datetime in UTC."""
    return datetime.fromisoformat(text)


def _optional_time(text: str | None) -> datetime | None:
    return None if text is None else parse_time(text)


def known_value(kind: type[_Enum], value: str) -> _Enum | str:
    """The enum member for `value`, or `value` itself when this client does not know it."""
    try:
        return kind(value)
    except ValueError:
        return value


@dataclass(frozen=True, slots=True)
class Session:
    """A session as `GET /v1/sessions` lists it."""

    id: str
    started_at: datetime
    ended_at: datetime
    page_count: int
    intent_score: int
    converted: bool
    nudge_count: int

    @classmethod
    def from_api(cls, item: Json) -> Session:
        return cls(**_session_fields(item))


def _session_fields(item: Json) -> dict[str, Any]:
    return {
        "id": item["id"],
        "started_at": parse_time(item["started_at"]),
        "ended_at": parse_time(item["ended_at"]),
        "page_count": item["page_count"],
        "intent_score": item["intent_score"],
        "converted": item["converted"],
        "nudge_count": item["nudge_count"],
    }


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """One entry of a session's event log (nudge events are in `nudges` instead)."""

    type: str
    url: str
    occurred_at: datetime

    @classmethod
    def from_api(cls, item: Json) -> SessionEvent:
        return cls(item["type"], item["url"], parse_time(item["occurred_at"]))


@dataclass(frozen=True, slots=True)
class SessionNudge:
    """A nudge shown in a session, with what the shopper did with it."""

    nudge_id: str
    type: NudgeType | str
    shown_at: datetime
    outcome: Outcome | str
    influenced_conversion: bool

    @classmethod
    def from_api(cls, item: Json) -> SessionNudge:
        return cls(
            nudge_id=item["nudge_id"],
            type=known_value(NudgeType, item["type"]),
            shown_at=parse_time(item["shown_at"]),
            outcome=known_value(Outcome, item["outcome"]),
            influenced_conversion=item["influenced_conversion"],
        )


@dataclass(frozen=True, slots=True)
class SessionDetail(Session):
    """A session as `GET /v1/sessions/{id}` returns it: events oldest first, nudges newest
    first."""

    events: tuple[SessionEvent, ...]
    nudges: tuple[SessionNudge, ...]

    @classmethod
    def from_api(cls, item: Json) -> SessionDetail:
        return cls(
            **_session_fields(item),
            events=tuple(SessionEvent.from_api(event) for event in item["events"]),
            nudges=tuple(SessionNudge.from_api(nudge) for nudge in item["nudges"]),
        )


@dataclass(frozen=True, slots=True)
class Nudge:
    """A shown nudge as `GET /v1/nudges` lists it."""

    id: str
    session_id: str
    type: NudgeType | str
    shown_at: datetime
    outcome: Outcome | str
    influenced_conversion: bool

    @classmethod
    def from_api(cls, item: Json) -> Nudge:
        return cls(
            id=item["id"],
            session_id=item["session_id"],
            type=known_value(NudgeType, item["type"]),
            shown_at=parse_time(item["shown_at"]),
            outcome=known_value(Outcome, item["outcome"]),
            influenced_conversion=item["influenced_conversion"],
        )


@dataclass(frozen=True, slots=True)
class NudgeOffer:
    """What the engine would show: the id, type and texts; `extra` holds any other member."""

    nudge_id: str | None
    type: NudgeType | str
    message: str | None
    cta: str | None
    extra: Mapping[str, Any]

    @classmethod
    def from_api(cls, item: Json) -> NudgeOffer:
        known = ("nudge_id", "type", "message", "cta")
        return cls(
            nudge_id=item.get("nudge_id"),
            type=known_value(NudgeType, item["type"]),
            message=item.get("message"),
            cta=item.get("cta"),
            extra={key: value for key, value in item.items() if key not in known},
        )


@dataclass(frozen=True, slots=True)
class NudgePreview:
    """`POST /v1/nudges/preview`: the decision, the rule that fired and why (nothing stored)."""

    nudge: NudgeOffer | None
    rule: str | None
    reasons: tuple[str, ...]

    @classmethod
    def from_api(cls, item: Json) -> NudgePreview:
        offer = item.get("nudge")
        return cls(
            nudge=None if offer is None else NudgeOffer.from_api(offer),
            rule=item.get("rule"),
            reasons=tuple(item.get("reasons") or ()),
        )


@dataclass(frozen=True, slots=True)
class IngestResult:
    """`POST /v1/events`: events stored now, events already stored (by `event_id`), and the
    `event_id` of every event sent, in order (the caller's, or the one the client added)."""

    accepted: int
    duplicates: int
    event_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VisitorDeletion:
    """`DELETE /v1/visitors/{id}`: what was erased (zeros for a visitor with nothing)."""

    deleted: bool
    sessions: int
    events: int

    @classmethod
    def from_api(cls, item: Json) -> VisitorDeletion:
        return cls(item["deleted"], item["sessions"], item["events"])
