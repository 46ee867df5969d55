"""Ingestion: validated events in, sessions, scores and nudges brought up to date.

Every batch re-derives the sessions it touches from their stored events plus the new ones,
so the stored result is always what a recomputation from scratch would give, whatever order
the events arrived in. The common case takes a shortcut with the same result: when a client
key's new events all come after the one session they touch, and change neither its nudges, its
purchases nor its visitor, they are appended and the session's derived fields are continued
from its stored summary state, without reading its events back. The caller's transaction makes
a batch all-or-nothing.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.engine import Connection, Row

from elnudge import ids
from elnudge.db import dialect
from elnudge.errors import InvalidRequest
from elnudge.events import repository
from elnudge.events.batch import event_param
from elnudge.events.duplicates import drop_duplicates, id_scope
from elnudge.events.validation import ValidEvent
from elnudge.keys.service import Principal
from elnudge.nudges.outcomes import influenced
from elnudge.sessions.sessionize import INACTIVITY_MS, Group, Member, group_members, session_visitor
from elnudge.sessions.summary import NOT_APPENDABLE, SessionSummary, extend_summary, summarize
from elnudge.visitors import VisitorContext
from elnudge.vocabulary import Event, EventType, KeyKind


@dataclass(frozen=True, slots=True)
class IngestResult:
    accepted: int
    duplicates: int


class NudgeConflict(Exception):
    """Events that show a nudge id already shown in another session; `indices` are batch indices."""

    def __init__(self, indices: list[int]) -> None:
        super().__init__(f"nudge shown in another session (events {indices})")
        self.indices = indices


@dataclass
class _Scope:
    site_id: str
    mode: str
    now_ms: int
    sender: KeyKind
    context: VisitorContext | None = None


def ingest(
    connection: Connection,
    *,
    site_id: str,
    mode: str,
    batch: Sequence[ValidEvent],
    now_ms: int,
    sender: KeyKind = KeyKind.SECRET,
    context: VisitorContext | None = None,
) -> IngestResult:
    """Store a batch of validated events for one site and mode, inside the caller's transaction.

    `sender` is the kind of key the batch came with (it scopes `event_id`s, see `duplicates`);
    `context` is the sender's browser (the relay passes it): new sessions keep it, and a bot's
    events flag every session they touch."""
    dialect.lock_site_for_ingestion(connection, site_id)
    fresh = drop_duplicates(connection, site_id, mode, sender, batch)
    if not fresh:
        return IngestResult(accepted=0, duplicates=len(batch))
    scope = _Scope(site_id=site_id, mode=mode, now_ms=now_ms, sender=sender, context=context)
    new_members = {ids.new_id(ids.EVENT): (index, valid) for index, valid in fresh}
    by_key, started_at, extended = _members_by_key(connection, scope, new_members)
    writer = _Writer(scope, new_data={key: v.event.data for key, (_, v) in new_members.items()})
    for client_key, key_members in by_key.items():
        groups = group_members(key_members, started_at)
        if client_key in extended:  # the first group continues the session, the rest are new
            writer.extend(extended[client_key], groups.pop(0))
        for group in groups:
            writer.add(client_key, group, summarize([member.event for member in group.members]))
    writer.settle_nudges(connection, {key: index for key, (index, _) in new_members.items()})
    writer.flush(connection)
    return IngestResult(accepted=len(fresh), duplicates=len(batch) - len(fresh))


def _members_by_key(
    connection: Connection, scope: _Scope, new_members: dict[str, tuple[int, ValidEvent]]
) -> tuple[dict[str, list[Member]], dict[str, int], dict[str, Row[Any]]]:
    """For each client key: its new events plus the stored events of sessions they may touch;
    the start time of each of those stored sessions; and the keys whose new events only
    extend their one touched session (whose events are not read), with that session."""
    by_key: dict[str, list[Member]] = defaultdict(list)
    for event_id, (_, valid) in new_members.items():
        by_key[valid.client_key].append(_new_member(event_id, valid))
    touched_by_key: dict[str, list[Row[Any]]] = defaultdict(list)
    for row in _touched_sessions(connection, scope, by_key):
        touched_by_key[row.client_key].append(row)
    extended = {
        key: rows[0]
        for key, rows in touched_by_key.items()
        if len(rows) == 1 and _only_extends(rows[0], by_key[key])
    }
    started_at = {
        row.session_id: row.started_at
        for key, rows in touched_by_key.items()
        if key not in extended
        for row in rows
    }
    for row in repository.events_of_sessions(connection, scope.site_id, list(started_at)):
        by_key[row.client_key].append(_stored_member(row))
    return by_key, started_at, extended


def _only_extends(session: Row[Any], members: list[Member]) -> bool:
    """True when appending `members` to `session` leaves its earlier fields as they are: all
    come after its last event, none is a nudge event or a purchase (they change nudge rows and
    attribution), none names another visitor, and the session's summary state is stored."""
    return session.summary_state is not None and all(
        member.event.occurred_at > session.ended_at
        and member.event.type not in NOT_APPENDABLE
        and member.visitor_id in (None, session.visitor_id)
        for member in members
    )


def _touched_sessions(
    connection: Connection, scope: _Scope, by_key: dict[str, list[Member]]
) -> list[Row[Any]]:
    """Stored sessions whose span, widened by 30 minutes each side, holds a new event."""
    times = {
        key: sorted(member.event.occurred_at for member in group) for key, group in by_key.items()
    }
    low = min(values[0] for values in times.values()) - INACTIVITY_MS
    high = max(values[-1] for values in times.values()) + INACTIVITY_MS
    nearby = repository.sessions_near(
        connection, scope.site_id, scope.mode, list(by_key), low, high
    )
    touched = []
    for row in nearby:
        key_times = times[row.client_key]
        first = bisect.bisect_left(key_times, row.started_at - INACTIVITY_MS)
        if first < len(key_times) and key_times[first] <= row.ended_at + INACTIVITY_MS:
            touched.append(row)
    return touched


def _new_member(event_id: str, valid: ValidEvent) -> Member:
    return Member(
        event=valid.event,
        event_id=event_id,
        client_event_id=valid.client_event_id,
        visitor_id=valid.visitor_id,
        session_id=None,
        stored_score=None,
    )


def _stored_member(row: Row[Any]) -> Member:
    return Member(
        event=Event(
            type=row.type, occurred_at=row.occurred_at, url=row.url, data=orjson.loads(row.data)
        ),
        event_id=row.event_id,
        client_event_id=row.client_event_id,
        visitor_id=row.visitor_id,
        session_id=row.session_id,
        stored_score=row.intent_score,
    )


@dataclass(frozen=True, slots=True)
class _Claim:
    """A session of this batch that shows a nudge: its shows (stored or new) and its row."""

    session_id: str
    shows: list[Member]
    row: dict[str, Any]

    def first_show(self) -> tuple[int, str, str, str, str]:
        return min(member.sort_key() for member in self.shows)


def _winner(claims: list[_Claim]) -> _Claim:
    """The claim that keeps a nudge: the one whose show is stored already, else the earliest
    show (ties by the event's own sort key, so arrival order never matters)."""
    stored = [claim for claim in claims if any(m.session_id is not None for m in claim.shows)]
    return stored[0] if stored else min(claims, key=_Claim.first_show)


@dataclass
class _Writer:
    """Collects the rows a batch changes, then writes them in a few bulk statements."""

    scope: _Scope
    new_data: dict[str, dict[str, Any]]
    session_inserts: list[dict[str, Any]] = field(default_factory=list)
    session_updates: list[dict[str, Any]] = field(default_factory=list)
    session_extensions: list[dict[str, Any]] = field(default_factory=list)
    session_deletes: list[str] = field(default_factory=list)
    event_inserts: list[dict[str, Any]] = field(default_factory=list)
    event_updates: list[dict[str, Any]] = field(default_factory=list)
    nudge_rows: list[dict[str, Any]] = field(default_factory=list)
    refreshed_sessions: list[str] = field(default_factory=list)
    visitors: set[str] = field(default_factory=set)
    # nudge id -> every session of this batch that shows it
    claims: dict[str, list[_Claim]] = field(default_factory=lambda: defaultdict(list))

    def add(self, client_key: str, group: Group, summary: SessionSummary) -> None:
        session_id = group.session_id or ids.new_id(ids.SESSION, at_ms=summary.started_at)
        visitor_id = session_visitor(group.members)
        self._add_session(client_key, group, summary, session_id, visitor_id)
        self._add_events(client_key, group, summary, session_id)
        self._add_nudges(group, summary, session_id, visitor_id)

    def _add_session(
        self,
        client_key: str,
        group: Group,
        summary: SessionSummary,
        session_id: str,
        visitor_id: str | None,
    ) -> None:
        values = {
            "visitor_id": visitor_id,
            "started_at": summary.started_at,
            "ended_at": summary.ended_at,
            "page_count": summary.page_count,
            "intent_score": summary.intent_score,
            "converted": summary.converted,
            "nudge_count": summary.nudge_count,
            "event_count": summary.event_count,
            "summary_state": summary.state,
        }
        if group.session_id is None:
            self.session_inserts.append(
                {
                    "site_id": self.scope.site_id,
                    "session_id": session_id,
                    "mode": self.scope.mode,
                    "client_key": client_key,
                    **self._context_values(),
                    **values,
                }
            )
        else:
            self.session_updates.append(self._update_row(session_id, values))
        self.session_deletes.extend(group.merged_ids)
        self.refreshed_sessions.extend([session_id, *group.merged_ids])
        self.visitors.update(_visitors_to_revisit(group, summary, visitor_id))

    def extend(self, session: Row[Any], group: Group) -> None:
        """Append `group`'s new events to the stored `session`, continuing its summary."""
        events = [member.event for member in group.members]
        extension = extend_summary(session.summary_state, session.event_count, events)
        values = {
            "ended_at": extension.ended_at,
            "page_count": extension.page_count,
            "intent_score": extension.intent_score,
            "event_count": extension.event_count,
            "summary_state": extension.state,
        }
        self.session_extensions.append(self._update_row(session.session_id, values))
        for member, score in zip(group.members, extension.scores, strict=True):
            row = self._event_row(session.client_key, member, session.session_id, score)
            self.event_inserts.append(row)

    def _update_row(self, session_id: str, values: dict[str, Any]) -> dict[str, Any]:
        if self.scope.context is not None and self.scope.context.is_bot:
            values["is_bot"] = True  # sticky: once a bot is seen, the session stays hidden
        return {"b_site_id": self.scope.site_id, "b_session_id": session_id, **values}

    def _context_values(self) -> dict[str, Any]:
        context = self.scope.context
        if context is None:
            return {"is_bot": False}
        return {
            "is_bot": context.is_bot,
            "browser": context.browser,
            "os": context.os,
            "device": context.device,
        }

    def _add_events(
        self, client_key: str, group: Group, summary: SessionSummary, session_id: str
    ) -> None:
        for member, score in zip(group.members, summary.scores, strict=True):
            if member.session_id is None:
                self.event_inserts.append(self._event_row(client_key, member, session_id, score))
            elif member.session_id != session_id or member.stored_score != score:
                self.event_updates.append(
                    {
                        "b_site_id": self.scope.site_id,
                        "b_event_id": member.event_id,
                        "session_id": session_id,
                        "intent_score": score,
                    }
                )

    def _event_row(
        self, client_key: str, member: Member, session_id: str, score: int
    ) -> dict[str, Any]:
        event = member.event
        return {
            "site_id": self.scope.site_id,
            "event_id": member.event_id,
            "mode": self.scope.mode,
            "session_id": session_id,
            "client_key": client_key,
            "client_event_id": member.client_event_id,
            "id_scope": id_scope(self.scope.sender, client_key),
            "visitor_id": member.visitor_id,
            "type": event.type,
            "occurred_at": event.occurred_at,
            "url": event.url,
            "data": orjson.dumps(self.new_data[member.event_id]).decode(),
            "intent_score": score,
            "received_at": self.scope.now_ms,
        }

    def _add_nudges(
        self, group: Group, summary: SessionSummary, session_id: str, visitor_id: str | None
    ) -> None:
        """Claim each nudge the session shows; `settle_nudges` decides who keeps it."""
        for nudge in summary.nudges:
            shows = [
                member
                for member in group.members
                if member.event.type == EventType.NUDGE_SHOWN
                and member.event.data["nudge_id"] == nudge.nudge_id
            ]
            row = {
                "site_id": self.scope.site_id,
                "nudge_id": nudge.nudge_id,
                "mode": self.scope.mode,
                "session_id": session_id,
                "visitor_id": visitor_id,
                "type": nudge.type,
                "shown_at": nudge.shown_at,
                "outcome": nudge.outcome,
                "last_interaction_at": nudge.last_interaction_at,
                "influenced_conversion": influenced(
                    nudge.last_interaction_at, summary.purchase_times
                ),
            }
            self.claims[nudge.nudge_id].append(_Claim(session_id, shows, row))

    def settle_nudges(self, connection: Connection, batch_index: dict[str, int]) -> None:
        """A nudge id belongs to one session. The session that already stored its show keeps
        it; a nudge new to the database goes to its earliest show in the batch. Showing it
        anywhere else is an error of those events — whatever their order in the batch."""
        refreshed = set(self.refreshed_sessions)
        owners = repository.nudge_owners(
            connection, self.scope.site_id, self.scope.mode, list(self.claims)
        )
        conflicts: list[str] = []
        for nudge_id, claims in self.claims.items():
            owner = owners.get(nudge_id)
            winner = None if owner is not None and owner not in refreshed else _winner(claims)
            for claim in claims:
                if claim is winner:
                    self.nudge_rows.append(claim.row)
                else:
                    conflicts.extend(m.event_id for m in claim.shows if m.session_id is None)
        if conflicts:
            raise NudgeConflict(sorted(batch_index[event_id] for event_id in conflicts))

    def flush(self, connection: Connection) -> None:
        site_id = self.scope.site_id
        repository.delete_nudges_of(connection, site_id, self.refreshed_sessions)
        repository.delete_sessions(connection, site_id, self.session_deletes)
        repository.insert_rows(connection, "sessions", self.session_inserts)
        repository.update_sessions(connection, self.session_updates)
        repository.extend_sessions(connection, self.session_extensions)
        repository.insert_rows(connection, "events", self.event_inserts)
        repository.update_events(connection, self.event_updates)
        repository.insert_rows(connection, "nudges", self.nudge_rows)
        self._refresh_influence(connection)

    def _refresh_influence(self, connection: Connection) -> None:
        """Purchases in one session can credit nudges in the visitor's other sessions."""
        if not self.visitors:
            return
        site_id, mode = self.scope.site_id, self.scope.mode
        visitors = sorted(self.visitors)
        purchases = repository.visitor_purchase_times(connection, site_id, mode, visitors)
        changes = {}
        for row in repository.visitor_engaged_nudges(connection, site_id, mode, visitors):
            value = influenced(row.last_interaction_at, purchases[row.visitor_id])
            if value != bool(row.influenced_conversion):
                changes[row.nudge_id] = value
        repository.set_influenced(connection, site_id, mode, changes)


def _visitors_to_revisit(group: Group, summary: SessionSummary, visitor_id: str | None) -> set[str]:
    """Visitors whose cross-session attribution this group can change.

    Only purchases and engaged nudges take part in attribution, so a session with neither, whose
    visitor stays the same, changes nothing beyond itself. Merges and visitor changes revisit
    every visitor involved, so one who lost a session is recomputed too.
    """
    stored_visitor = session_visitor([m for m in group.members if m.session_id is not None])
    moved = group.session_id is not None and stored_visitor != visitor_id
    if group.merged_ids or moved:
        return {member.visitor_id for member in group.members if member.visitor_id} | (
            {visitor_id} if visitor_id else set()
        )
    engaged = any(nudge.last_interaction_at is not None for nudge in summary.nudges)
    if visitor_id and (engaged or summary.purchase_times):
        return {visitor_id}
    return set()


def ingest_all_or_nothing(
    connection: Connection, *, principal: Principal, batch: Sequence[ValidEvent], now_ms: int
) -> IngestResult:
    """`ingest`, with a nudge shown in two sessions reported as the 400 of its first event."""
    try:
        return ingest(
            connection, site_id=principal.site_id, mode=principal.mode, batch=batch, now_ms=now_ms
        )
    except NudgeConflict as conflict:
        index = conflict.indices[0]
        nudge_id = batch[index].event.data["nudge_id"]
        message = f"events[{index}]: nudge {nudge_id} was shown in another session."
        raise InvalidRequest(message, param=event_param(index, "data.nudge_id")) from conflict
