"""The Conversations API's rules (the sessions' window, cursors and 404 discipline), the
objects it returns, and erasure for the visitor-erasure work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import update
from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.conversations import repository
from elnudge.conversations.schemas import ConversationListQuery
from elnudge.db.tables import sites
from elnudge.errors import InvalidRequest, NotFound
from elnudge.keys.service import Principal
from elnudge.pagination import Listing, api_window_start, next_cursor, resolve_window
from elnudge.timestamps import format_timestamp
from elnudge.vocabulary import Responder

CONVERSATIONS = Listing(
    position="started_at", is_id=lambda value: ids.is_valid_id(value, ids.CONVERSATION)
)


@dataclass(frozen=True, slots=True)
class ConversationPage:
    data: list[dict[str, Any]]
    next_cursor: str | None
    has_more: bool


def conversation_object(row: Sequence[Any]) -> dict[str, Any]:
    """`{id, session_id, responder, started_at, last_message_at, message_count}`."""
    conversation_id, session_id, responder, started_at, last_message_at, count = row
    return {
        "id": conversation_id,
        "session_id": session_id,
        "responder": responder,
        "started_at": format_timestamp(started_at),
        "last_message_at": format_timestamp(last_message_at),
        "message_count": count,
    }


def message_object(row: Sequence[Any]) -> dict[str, Any]:
    """`{id, sender, text, sent_at, source}` from a row of repository.MESSAGE_COLUMNS."""
    message_id, sender, text, source, sent_at = row
    return {
        "id": message_id,
        "sender": sender,
        "text": text,
        "sent_at": format_timestamp(sent_at),
        "source": None if source is None else orjson.loads(source),
    }


def list_conversations(
    connection: Connection, principal: Principal, query: ConversationListQuery, now_ms: int
) -> ConversationPage:
    """One page of conversations, newest first; those of sessions outside the API window (or
    bots') are invisible, as their sessions are."""
    window = resolve_window(
        given_from=query.from_,
        given_to=query.to,
        filters={"session_id": query.session_id},
        cursor=query.cursor,
        listing=CONVERSATIONS,
        principal=principal,
        now_ms=now_ms,
    )
    rows = repository.list_page(
        connection,
        site_id=principal.site_id,
        mode=principal.mode,
        window_ms=api_window_start(principal, now_ms),
        lower_ms=window.from_ms,
        upper_ms=window.to_ms,
        after=window.after,
        filters=dict(window.filters),
        limit=query.limit + 1,
    )
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    last = (rows[-1].started_at, rows[-1].conversation_id) if has_more else None
    return ConversationPage(
        data=[conversation_object(row) for row in rows],
        next_cursor=next_cursor(window, last, CONVERSATIONS, principal),
        has_more=has_more,
    )


def get_conversation(
    connection: Connection, principal: Principal, conversation_id: str, now_ms: int
) -> dict[str, Any]:
    """The conversation with its transcript; the same 404 for every way of not being ours."""
    row = None
    if ids.is_valid_id(conversation_id, ids.CONVERSATION):
        row = repository.visible_conversation(
            connection,
            site_id=principal.site_id,
            mode=principal.mode,
            conversation_id=conversation_id,
            window_ms=api_window_start(principal, now_ms),
        )
    if row is None:
        raise NotFound("No such conversation.", param="id")
    detail = conversation_object(row)
    messages = repository.messages_of(connection, principal.site_id, conversation_id)
    detail["messages"] = [message_object(message) for message in messages]
    return detail


def erase_conversations(
    connection: Connection, site_id: str, mode: str, session_ids: Sequence[str]
) -> int:
    """Delete the transcripts of these sessions of the site and mode, in the caller's
    transaction: erasing a visitor's sessions runs it (privacy/erasure.py, ERASURE_STEPS).
    A conversation belongs to one session, so the visitor's sessions find all of theirs.
    Returns how many conversations went."""
    found = repository.conversations_of_sessions(connection, site_id, mode, session_ids)
    return repository.delete_conversations(connection, site_id, found)


def set_responder(connection: Connection, site_id: str, responder: str) -> None:
    """Choose who answers the site's chat panel; new conversations take it."""
    if responder not in tuple(Responder):
        choices = ", ".join(Responder)
        raise InvalidRequest(f"The chat responder is one of {choices}.", param="chat_responder")
    statement = update(sites).where(sites.c.site_id == site_id).values(chat_responder=responder)
    if not connection.execute(statement).rowcount:
        raise NotFound(f"No site {site_id!r}.")
