"""The shopper's side of a conversation, through the relay's public key: a message from the
chat panel is checked (key, origin, length, limits per client and per session), stored with
its session's conversation (started by the first one), and counted as an interaction with the
panel's nudge for attribution; delivery.py then has the site's responder answer it.

The message is committed before the responder runs: an answer that takes seconds (an LLM)
never holds a write transaction, and a failed answer never loses what the shopper wrote.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.config import Settings
from elnudge.conversations import repository
from elnudge.conversations.models import Conversation
from elnudge.conversations.service import message_object
from elnudge.db import dialect
from elnudge.db.tables import sites
from elnudge.errors import InvalidRequest
from elnudge.events.payloads import MAX_ID_LENGTH, NUDGE_ID_PATTERN, InvalidEvent, Text
from elnudge.events.validation import path_and_query, time_bounds, validate_envelope
from elnudge.keys.service import Principal
from elnudge.relay.body import InvalidSiteKey
from elnudge.relay.origins import check_origin
from elnudge.relay.service import Sender, authenticate_site_key, client_bucket, store
from elnudge.runtime import Runtime
from elnudge.sites.origins import allowed_origins
from elnudge.timestamps import format_timestamp_ms
from elnudge.visitors import visitor_context
from elnudge.vocabulary import EventType, Responder
from elnudge.vocabulary import Sender as Author


@dataclass(frozen=True, slots=True)
class ShopperText:
    """A chat panel's message, its shape checked."""

    site_key: str
    client_key: str  # the SDK's session id
    text: str
    nudge_id: str | None
    url: str


_SESSION_ID = Text(MAX_ID_LENGTH)
_NUDGE_ID = re.compile(NUDGE_ID_PATTERN)


def _session_id(body: dict[str, Any]) -> str:
    """The SDK's session id, under the rules of an event's `session_id`."""
    try:
        return str(_SESSION_ID.check(body.get("session_id"), "session_id"))
    except InvalidEvent as error:
        raise InvalidRequest(error.message, param="session_id") from error


def _text(value: Any, settings: Settings) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest("text must be a string with something besides spaces.", param="text")
    if len(value) > settings.chat_max_message_chars:
        limit = settings.chat_max_message_chars
        raise InvalidRequest(f"text is longer than {limit:,} characters.", param="text")
    if "\x00" in value:
        raise InvalidRequest("text must not contain NUL characters.", param="text")
    return value.strip()


def _nudge_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _NUDGE_ID.fullmatch(value):
        raise InvalidRequest("nudge_id must be a nudge's id (nudg_…).", param="nudge_id")
    return value


def _url(value: Any) -> str:
    if value is None:
        return "/"
    try:
        return path_and_query(value)
    except InvalidEvent as error:
        raise InvalidRequest(error.message, param="url") from error


def parse_message(body: Any, settings: Settings) -> ShopperText:
    """The body's shape: a 400 naming the field at fault, a 401 for a missing key."""
    if not isinstance(body, dict):
        raise InvalidRequest(
            'The body must be a JSON object {"site_key", "session_id", "text"}.', param="body"
        )
    site_key = body.get("site_key")
    if not isinstance(site_key, str):
        raise InvalidSiteKey()
    return ShopperText(
        site_key=site_key,
        client_key=_session_id(body),
        text=_text(body.get("text"), settings),
        nudge_id=_nudge_id(body.get("nudge_id")),
        url=_url(body.get("url")),
    )


def session_bucket(principal: Principal, client_key: str) -> str:
    """The per-session rate-limit key (a digest: the limiter never holds the session id)."""
    text = f"{principal.key_id}\n{client_key}".encode()
    return "chat-session:" + hashlib.blake2b(text, digest_size=12).hexdigest()


def check_limits(
    runtime: Runtime, principal: Principal, message: ShopperText, sender: Sender
) -> None:
    """The client's limit first, then the session's, then the key's relay budget (one unit)."""
    runtime.chat_client_limiter.hit("chat-" + client_bucket(principal, sender))
    runtime.chat_session_limiter.hit(session_bucket(principal, message.client_key))
    runtime.relay_limiter.hit(principal.key_id)


@dataclass(frozen=True, slots=True)
class Accepted:
    """A shopper's message that passed every check and is stored: what answering it needs."""

    principal: Principal
    conversation: Conversation
    message: dict[str, Any]  # as the API shows it
    question: str


def accept_message(runtime: Runtime, body: Any, sender: Sender) -> Accepted:
    """One message from the chat panel, checked and stored; answering it is delivery.py's.
    Every refusal (a 4xx) happens here, before an answer, streamed or not, begins."""
    now_ms = runtime.clock.now_ms()
    message = parse_message(body, runtime.settings)
    with runtime.database.read() as connection:
        principal = authenticate_site_key(connection, message.site_key, now_ms)
        allowed = allowed_origins(connection, principal.site_id)
    check_origin(allowed, sender.origin)
    check_limits(runtime, principal, message, sender)
    with runtime.database.write() as connection:
        conversation = _conversation_for(connection, principal, message, sender, now_ms)
        stored = add_message(connection, conversation, Author.SHOPPER, message.text, None, now_ms)
    return Accepted(principal, conversation, stored, message.text)


def _conversation_for(
    connection: Connection,
    principal: Principal,
    message: ShopperText,
    sender: Sender,
    now_ms: int,
) -> Conversation:
    """The conversation of the message's session, started if need be. The site's ingestion
    lock serialises two first messages of a session, so a session has one conversation."""
    dialect.lock_site_for_ingestion(connection, principal.site_id)
    if message.nudge_id is not None:
        _record_interaction(connection, principal, message, sender, now_ms)
    session = repository.latest_session(
        connection, principal.site_id, principal.mode, message.client_key, now_ms
    )
    if session is None:
        raise InvalidRequest(
            "No session has this session_id yet: the SDK sends its events first.",
            param="session_id",
        )
    found = repository.conversation_of_session(
        connection, principal.site_id, principal.mode, session.session_id
    )
    if found is not None:
        return Conversation(
            principal.site_id,
            principal.mode,
            found.conversation_id,
            found.session_id,
            found.responder,
        )
    conversation = Conversation(
        site_id=principal.site_id,
        mode=principal.mode,
        conversation_id=ids.new_id(ids.CONVERSATION, now_ms),
        session_id=session.session_id,
        responder=site_responder(connection, principal.site_id),
    )
    repository.insert_conversation(
        connection,
        {
            "site_id": conversation.site_id,
            "conversation_id": conversation.conversation_id,
            "mode": conversation.mode,
            "session_id": conversation.session_id,
            "visitor_id": session.visitor_id,
            "responder": conversation.responder,
            "started_at": now_ms,
            "last_message_at": now_ms,
            "message_count": 0,
        },
    )
    return conversation


def site_responder(connection: Connection, site_id: str) -> str:
    """Who answers the site's chat panel (knowledge unless the site chose otherwise)."""
    query = select(sites.c.chat_responder).where(sites.c.site_id == site_id)
    return connection.execute(query).scalar() or Responder.KNOWLEDGE


def _record_interaction(
    connection: Connection,
    principal: Principal,
    message: ShopperText,
    sender: Sender,
    now_ms: int,
) -> None:
    """A NUDGE_CHAT_OPENED event now, through ingestion: the panel's nudge was interacted
    with, so a purchase in the next 30 minutes counts as influenced (attribution.py)."""
    bounds = time_bounds(storage_days=principal.storage_days, future_skew_seconds=0, now_ms=now_ms)
    raw = {
        "session_id": message.client_key,
        "event": EventType.NUDGE_CHAT_OPENED,
        "ts": format_timestamp_ms(now_ms),
        "url": message.url,
        "data": {"nudge_id": message.nudge_id},
    }
    valid = validate_envelope(raw, bounds)  # its parts are checked already
    store(
        connection,
        principal,
        [(0, valid)],
        now_ms=now_ms,
        context=visitor_context(sender.user_agent),
    )


def add_message(
    connection: Connection,
    conversation: Conversation,
    author: str,
    text: str,
    source: dict[str, Any] | None,
    now_ms: int,
) -> dict[str, Any]:
    """Store one message; returns it as the API shows it. Times strictly increase within a
    conversation, so its order never depends on ids minted in the same millisecond."""
    latest = repository.conversation_of_session(
        connection, conversation.site_id, conversation.mode, conversation.session_id
    )
    sent_at = now_ms if latest is None else max(now_ms, latest.last_message_at + 1)
    row = {
        "site_id": conversation.site_id,
        "message_id": ids.new_id(ids.MESSAGE, sent_at),
        "conversation_id": conversation.conversation_id,
        "sender": author,
        "text": text,
        "source": None if source is None else orjson.dumps(source).decode(),
        "sent_at": sent_at,
    }
    repository.insert_message(connection, row)
    return message_object((row["message_id"], author, text, row["source"], sent_at))


def transcript(runtime: Runtime, body: Any, sender: Sender) -> dict[str, Any]:
    """The session's conversation, for the panel to redraw after a page view and to poll for
    the merchant's answers. Returns `Transcript`. Counted like a relay request."""
    now_ms = runtime.clock.now_ms()
    if not isinstance(body, dict):
        raise InvalidRequest(
            'The body must be a JSON object {"site_key", "session_id"}.', param="body"
        )
    if not isinstance(body.get("site_key"), str):
        raise InvalidSiteKey()
    site_key, client_key = body["site_key"], _session_id(body)
    with runtime.database.read() as connection:
        principal = authenticate_site_key(connection, site_key, now_ms)
        check_origin(allowed_origins(connection, principal.site_id), sender.origin)
        runtime.relay_client_limiter.hit(client_bucket(principal, sender))
        session = repository.latest_session(
            connection, principal.site_id, principal.mode, client_key, now_ms
        )
        found = None
        if session is not None:
            found = repository.conversation_of_session(
                connection, principal.site_id, principal.mode, session.session_id
            )
        if found is None:
            return {"conversation_id": None, "messages": []}
        rows = repository.messages_of(connection, principal.site_id, found.conversation_id)
    return {
        "conversation_id": found.conversation_id,
        "messages": [message_object(row) for row in rows],
    }
