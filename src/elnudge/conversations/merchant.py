"""The store's side of a conversation: the merchant's reply (the `human` responder, or a word
added to any conversation). The API route calls it, and so can the dashboard."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.conversations import repository
from elnudge.conversations.chat import add_message
from elnudge.conversations.models import Conversation
from elnudge.conversations.schemas import MAX_REPLY_CHARS
from elnudge.errors import InvalidRequest, NotFound
from elnudge.vocabulary import Sender


def reply_as_merchant(
    connection: Connection,
    *,
    site_id: str,
    mode: str,
    conversation_id: str,
    text: Any,
    now_ms: int,
    window_ms: int = 0,
) -> dict[str, Any]:
    """Add the merchant's `text` to a conversation of the site in `mode` (whose session started
    since `window_ms`); returns the message as the API shows it. The shopper's panel shows it
    at its next poll. A 404 for every way the conversation is not theirs; a 400 for bad text."""
    if not isinstance(text, str) or not text.strip() or "\x00" in text:
        raise InvalidRequest("text must be a string with something besides spaces.", param="text")
    if len(text) > MAX_REPLY_CHARS:
        raise InvalidRequest(f"text is longer than {MAX_REPLY_CHARS:,} characters.", param="text")
    row = None
    if ids.is_valid_id(conversation_id, ids.CONVERSATION):
        row = repository.visible_conversation(
            connection,
            site_id=site_id,
            mode=mode,
            conversation_id=conversation_id,
            window_ms=window_ms,
        )
    if row is None:
        raise NotFound("No such conversation.", param="id")
    conversation = Conversation(site_id, mode, row.conversation_id, row.session_id, row.responder)
    return add_message(connection, conversation, Sender.MERCHANT, text.strip(), None, now_ms)
