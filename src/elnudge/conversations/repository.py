"""All SQL of conversations: the shopper's side (find or start a session's conversation, add
messages), the API's read side (list, one with its messages), and erasure and retention."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import BigInteger, String, and_, bindparam, delete, false, insert, select, tuple_
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Connection, Row

from elnudge.db.tables import conversation_messages, conversations, sessions

Rows = Sequence[Row[*tuple[Any, ...]]]

CONVERSATION_COLUMNS = (
    conversations.c.conversation_id,
    conversations.c.session_id,
    conversations.c.responder,
    conversations.c.started_at,
    conversations.c.last_message_at,
    conversations.c.message_count,
)
MESSAGE_COLUMNS = (
    conversation_messages.c.message_id,
    conversation_messages.c.sender,
    conversation_messages.c.text,
    conversation_messages.c.source,
    conversation_messages.c.sent_at,
)

# -- the shopper's side ------------------------------------------------------------------------

_LATEST_SESSION = (
    select(sessions.c.session_id, sessions.c.visitor_id)
    .where(
        sessions.c.site_id == bindparam("site_id"),
        sessions.c.mode == bindparam("mode"),
        sessions.c.client_key == bindparam("client_key"),
        sessions.c.started_at <= bindparam("at"),
    )
    .order_by(sessions.c.started_at.desc())
    .limit(1)
)


def latest_session(
    connection: Connection, site_id: str, mode: str, client_key: str, at_ms: int
) -> Row[*tuple[Any, ...]] | None:
    """(session_id, visitor_id) of the client key's latest session started by `at_ms`."""
    params = {"site_id": site_id, "mode": mode, "client_key": client_key, "at": at_ms}
    return connection.execute(_LATEST_SESSION, params).first()


def conversation_of_session(
    connection: Connection, site_id: str, mode: str, session_id: str
) -> Row[*tuple[Any, ...]] | None:
    """The session's conversation (CONVERSATION_COLUMNS), if it has one."""
    query = select(*CONVERSATION_COLUMNS).where(
        conversations.c.site_id == site_id,
        conversations.c.mode == mode,
        conversations.c.session_id == session_id,
    )
    return connection.execute(query).first()


def insert_conversation(connection: Connection, row: dict[str, Any]) -> None:
    """A new conversation (a row of `conversations`, message_count 0)."""
    connection.execute(insert(conversations), row)


def insert_message(connection: Connection, row: dict[str, Any]) -> None:
    """A message (a row of `conversation_messages`), counted in its conversation."""
    connection.execute(insert(conversation_messages), row)
    connection.execute(
        sql_update(conversations)
        .where(
            conversations.c.site_id == row["site_id"],
            conversations.c.conversation_id == row["conversation_id"],
        )
        .values(
            message_count=conversations.c.message_count + 1,
            last_message_at=row["sent_at"],
        )
    )


def set_message_text(connection: Connection, site_id: str, message_id: str, text: str) -> None:
    """A streamed answer's text so far (each sentence is stored before the shopper gets it)."""
    connection.execute(
        sql_update(conversation_messages)
        .where(
            conversation_messages.c.site_id == site_id,
            conversation_messages.c.message_id == message_id,
        )
        .values(text=text)
    )


def messages_of(connection: Connection, site_id: str, conversation_id: str) -> Rows:
    """The conversation's messages, oldest first (MESSAGE_COLUMNS)."""
    query = (
        select(*MESSAGE_COLUMNS)
        .where(
            conversation_messages.c.site_id == site_id,
            conversation_messages.c.conversation_id == conversation_id,
        )
        .order_by(conversation_messages.c.sent_at, conversation_messages.c.message_id)
    )
    return connection.execute(query).all()


# -- the API's read side -----------------------------------------------------------------------

# A conversation is visible while its session is: the same window, never a bot's.
_VISIBLE = and_(
    sessions.c.site_id == conversations.c.site_id,
    sessions.c.session_id == conversations.c.session_id,
    sessions.c.is_bot == false(),
    sessions.c.started_at >= bindparam("window_ms"),
)
_NEWEST_FIRST = (conversations.c.started_at.desc(), conversations.c.conversation_id.desc())


def list_page(
    connection: Connection,
    *,
    site_id: str,
    mode: str,
    window_ms: int,
    lower_ms: int,
    upper_ms: int,
    after: tuple[int, str] | None,
    filters: dict[str, str],
    limit: int,
) -> Rows:
    """Up to `limit` conversations newest first, started in [lower_ms, upper_ms) and before
    `after`, of sessions that started since `window_ms` and are not bots'. One range scan of
    ix_conversations_list joined to each session; the cursor replaces the `to` bound."""
    query = (
        select(*CONVERSATION_COLUMNS)
        .join(sessions, _VISIBLE)
        .where(
            conversations.c.site_id == bindparam("site_id"),
            conversations.c.mode == bindparam("mode"),
            conversations.c.started_at >= bindparam("lower_ms"),
        )
        .order_by(*_NEWEST_FIRST)
        .limit(bindparam("limit"))
    )
    params: dict[str, Any] = {
        "site_id": site_id,
        "mode": mode,
        "window_ms": window_ms,
        "lower_ms": lower_ms,
        "limit": limit,
    }
    if "session_id" in filters:
        query = query.where(conversations.c.session_id == bindparam("session_id"))
        params["session_id"] = filters["session_id"]
    if after is None:
        query = query.where(conversations.c.started_at < bindparam("upper_ms"))
        params["upper_ms"] = upper_ms
    else:
        position = tuple_(conversations.c.started_at, conversations.c.conversation_id)
        query = query.where(
            position
            < tuple_(
                bindparam("after_at", type_=BigInteger()),
                bindparam("after_id", type_=String()),
            )
        )
        params["after_at"], params["after_id"] = after
    return connection.execute(query, params).all()


def visible_conversation(
    connection: Connection, *, site_id: str, mode: str, conversation_id: str, window_ms: int
) -> Row[*tuple[Any, ...]] | None:
    """The conversation (CONVERSATION_COLUMNS) when the API may show it, else None."""
    query = (
        select(*CONVERSATION_COLUMNS)
        .join(sessions, _VISIBLE)
        .where(
            conversations.c.site_id == bindparam("site_id"),
            conversations.c.mode == bindparam("mode"),
            conversations.c.conversation_id == bindparam("conversation_id"),
        )
    )
    params = {
        "site_id": site_id,
        "mode": mode,
        "conversation_id": conversation_id,
        "window_ms": window_ms,
    }
    return connection.execute(query, params).first()


# -- erasure and retention ---------------------------------------------------------------------


def delete_conversations(connection: Connection, site_id: str, ids: Collection[str]) -> int:
    """Delete these conversations of the site and their messages; how many conversations."""
    if not ids:
        return 0
    connection.execute(
        delete(conversation_messages).where(
            conversation_messages.c.site_id == site_id,
            conversation_messages.c.conversation_id.in_(list(ids)),
        )
    )
    return int(
        connection.execute(
            delete(conversations).where(
                conversations.c.site_id == site_id,
                conversations.c.conversation_id.in_(list(ids)),
            )
        ).rowcount
    )


def conversations_of_sessions(
    connection: Connection, site_id: str, mode: str, session_ids: Collection[str]
) -> list[str]:
    """Ids of the conversations of these sessions of the site and mode."""
    query = select(conversations.c.conversation_id).where(
        conversations.c.site_id == site_id,
        conversations.c.mode == mode,
        conversations.c.session_id.in_(list(session_ids)),
    )
    return list(connection.execute(query).scalars())


def conversations_started_before(
    connection: Connection, site_id: str, cutoff_ms: int, limit: int
) -> list[str]:
    """Ids of up to `limit` conversations of the site that started before `cutoff_ms`."""
    query = (
        select(conversations.c.conversation_id)
        .where(conversations.c.site_id == site_id, conversations.c.started_at < cutoff_ms)
        .limit(limit)
    )
    return list(connection.execute(query).scalars())
