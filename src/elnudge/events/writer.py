"""Writing a batch: the rows it changes, collected while sessions are derived, then written in
a few bulk statements (COPY on PostgreSQL), and the attribution they change refreshed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.attribution import NudgeState, influenced, reaction_flags, stored_state
from elnudge.db.prebuilt import Record
from elnudge.events import repository
from elnudge.events.claims import Claim, NudgeClaims
from elnudge.events.duplicates import id_scope
from elnudge.events.influence import refresh_influence
from elnudge.events.sightings import ProductSightings
from elnudge.sessions.sessionize import Group, Member, session_visitor
from elnudge.sessions.summary import SessionSummary, extend_summary, summarize
from elnudge.sites import usage
from elnudge.sites.usage import Crossing
from elnudge.visitors import VisitorContext
from elnudge.vocabulary import REACTIONS, EventType, KeyKind, Mode
from elnudge.webhooks.announce import Conversion, announce, announce_usage


@dataclass(frozen=True, slots=True)
class Scope:
    """What a whole batch shares: its site and mode, the time it arrived, who sent it."""

    site_id: str
    mode: str
    now_ms: int
    sender: KeyKind
    context: VisitorContext | None = None
    allowance: int | None = None  # the site's monthly allowance of sessions (None: unlimited)


@dataclass
class Writer:
    """Collects the rows a batch changes, then writes them in a few bulk statements."""

    scope: Scope
    new_data: dict[str, dict[str, Any]]  # the new events' data, as sent, by event id
    session_inserts: list[dict[str, Any]] = field(default_factory=list)
    session_updates: list[dict[str, Any]] = field(default_factory=list)
    session_extensions: list[dict[str, Any]] = field(default_factory=list)
    session_deletes: list[str] = field(default_factory=list)
    event_inserts: list[dict[str, Any]] = field(default_factory=list)
    event_updates: list[dict[str, Any]] = field(default_factory=list)
    nudge_rows: list[dict[str, Any]] = field(default_factory=list)
    refreshed_sessions: list[str] = field(default_factory=list)  # stored ones re-derived
    visitors: set[str] = field(default_factory=set)
    claims: NudgeClaims = field(default_factory=NudgeClaims)
    merged_into: dict[str, str] = field(default_factory=dict)  # merged session -> survivor
    sightings: ProductSightings = field(init=False)
    # The monthly allowance's thresholds this batch crossed (for the site to be told).
    crossings: list[Crossing] = field(default_factory=list)
    # Sessions that converted with this batch: (session id, visitor id, summary, first purchase).
    conversions: list[Conversion] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sightings = ProductSightings(self.scope.site_id, self.scope.mode)

    def add(self, client_key: str, group: Group) -> None:
        """Write `group` as a whole session: a new one, or a stored one re-derived."""
        summary = summarize([member.event for member in group.members])
        session_id = group.session_id or ids.new_id(ids.SESSION, at_ms=summary.started_at)
        visitor_id = session_visitor(group.members)
        self._add_session(client_key, group, summary, session_id, visitor_id)
        self._add_events(client_key, group, summary, session_id)
        self._add_nudges(group, summary, session_id, visitor_id)
        self._note_conversion(group, session_id, visitor_id)

    def _note_conversion(self, group: Group, session_id: str, visitor_id: str | None) -> None:
        """A session converts when its first purchase arrives: none of its stored events (nor
        those of sessions it merges with) was one."""
        purchases = [m for m in group.members if m.event.type == EventType.PURCHASE]
        if not purchases or any(m.session_id is not None for m in purchases):
            return
        first = min(purchases, key=lambda member: member.event.occurred_at)
        self.conversions.append(Conversion(session_id, visitor_id, first.event))

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
        self.merged_into.update((merged, session_id) for merged in group.merged_ids)
        if group.session_id is not None:  # a new session has no nudge rows to replace yet
            self.refreshed_sessions.extend([session_id, *group.merged_ids])
        self.visitors.update(_visitors_to_revisit(group, summary, visitor_id))

    def extend(self, session: Record, group: Group, stored_nudges: list[Record] | None) -> None:
        """Append `group`'s new events to the stored `session`, continuing its summary;
        `stored_nudges` are its nudge rows when the new events change them (else None)."""
        events = [member.event for member in group.members]
        states = None if stored_nudges is None else [stored_state(row) for row in stored_nudges]
        extension = extend_summary(session.summary_state, session.event_count, events, states)
        purchases = [event.occurred_at for event in events if event.type == EventType.PURCHASE]
        nudges = extension.nudges
        values = {
            "ended_at": extension.ended_at,
            "page_count": extension.page_count,
            "intent_score": extension.intent_score,
            "event_count": extension.event_count,
            "converted": bool(session.converted) or bool(purchases),
            "nudge_count": session.nudge_count if nudges is None else len(nudges),
            "summary_state": extension.state,
        }
        self.session_extensions.append(self._update_row(session.session_id, values))
        for member, score in zip(group.members, extension.scores, strict=True):
            row = self._event_row(session.client_key, member, session.session_id, score)
            self.event_inserts.append(row)
        if nudges is not None:
            assert stored_nudges is not None
            self._extend_nudges(session, group, nudges, stored_nudges, purchases)
        if purchases and not session.converted:
            self._note_conversion(group, session.session_id, session.visitor_id)
        reacted = any(event.type in REACTIONS for event in events)
        if session.visitor_id is not None and (purchases or reacted):
            # Its visitor's nudges may now have influenced a conversion, in any session.
            self.visitors.add(session.visitor_id)

    def _extend_nudges(
        self,
        session: Record,
        group: Group,
        nudges: list[NudgeState],
        stored: list[Record],
        purchase_times: list[int],
    ) -> None:
        """Rewrite the extended session's nudges. The appended events all come after its stored
        ones, so its stored purchases all came before any new interaction: a nudge whose last
        interaction is as stored keeps its stored credit, which the new purchases can only add
        to; for any other, the new purchases alone decide."""
        before = {row.nudge_id: row for row in stored}
        self.refreshed_sessions.append(session.session_id)
        for nudge in nudges:
            row = before.get(nudge.nudge_id)
            credit = influenced(nudge.last_interaction_at, purchase_times)
            if row is not None and row.last_interaction_at == nudge.last_interaction_at:
                credit = credit or bool(row.influenced_conversion)
            shows = _shows(group, nudge.nudge_id)
            kept = row is not None
            self._claim(nudge, shows, session.session_id, session.visitor_id, credit, kept)

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
        self.sightings.see(event, session_id)
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
        for nudge in summary.nudges:
            credit = influenced(nudge.last_interaction_at, summary.purchase_times)
            shows = _shows(group, nudge.nudge_id)
            stored = any(member.session_id is not None for member in shows)
            self._claim(nudge, shows, session_id, visitor_id, credit, stored)

    def _claim(
        self,
        nudge: NudgeState,
        shows: list[Member],
        session_id: str,
        visitor_id: str | None,
        credit: bool,
        stored: bool,
    ) -> None:
        """Claim the nudge for the session, whose events in this batch that show it are `shows`
        (`credit`: whether its own purchases credit it; `stored`: whether its show is stored
        already); `settle_nudges` decides who keeps it."""
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
            "influenced_conversion": credit,
            **reaction_flags(nudge.reactions),
        }
        self.claims.add(nudge.nudge_id, Claim(session_id, shows, row, stored))

    def settle_nudges(self, connection: Connection, batch_index: dict[str, int]) -> None:
        """Keep each nudge in the one session it belongs to (see `claims`)."""
        self.nudge_rows = self.claims.settle(
            connection,
            self.scope.site_id,
            self.scope.mode,
            set(self.refreshed_sessions),
            batch_index,
        )

    def flush(self, connection: Connection) -> None:
        site_id = self.scope.site_id
        repository.delete_nudges_of(connection, site_id, self.refreshed_sessions)
        repository.delete_sessions(connection, site_id, self.session_deletes)
        repository.move_offers(connection, site_id, self.merged_into)
        self._number_new_sessions(connection)
        repository.insert_rows(connection, "sessions", self.session_inserts)
        repository.update_sessions(connection, self.session_updates)
        repository.extend_sessions(connection, self.session_extensions)
        repository.insert_rows(connection, "events", self.event_inserts)
        repository.update_events(connection, self.event_updates)
        repository.insert_rows(connection, "nudges", self.nudge_rows)
        self.sightings.write(connection)
        self._refresh_influence(connection)
        if self.scope.mode == Mode.LIVE:
            announce(connection, self.scope.site_id, self.scope.now_ms, self.conversions)
            announce_usage(connection, self.scope.site_id, self.scope.now_ms, self.crossings)

    def _number_new_sessions(self, connection: Connection) -> None:
        """Give each new live, non-bot session its ordinal in its month (the allowance's
        count); other sessions have none."""
        counted = [
            row
            for row in self.session_inserts
            if self.scope.mode == Mode.LIVE and not row["is_bot"]
        ]
        counted.sort(key=lambda row: (row["started_at"], row["session_id"]))
        ordinals, self.crossings = usage.number_sessions(
            connection,
            self.scope.site_id,
            [row["started_at"] for row in counted],
            allowance=self.scope.allowance,
            now_ms=self.scope.now_ms,
        )
        for row in self.session_inserts:
            row["month_ordinal"] = None
        for row, ordinal in zip(counted, ordinals, strict=True):
            row["month_ordinal"] = ordinal

    def _refresh_influence(self, connection: Connection) -> None:
        """Purchases in one session can credit nudges in the visitor's other sessions."""
        refresh_influence(connection, self.scope.site_id, self.scope.mode, self.visitors)


def _shows(group: Group, nudge_id: str) -> list[Member]:
    """The group's events that show this nudge."""
    return [
        member
        for member in group.members
        if member.event.type == EventType.NUDGE_SHOWN and member.event.data["nudge_id"] == nudge_id
    ]


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
