"""Models of the Conversations API and of the chat panel's relay route, for the OpenAPI
document (responses are built as plain dicts and serialised with orjson; tests check they match
these models)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model

from elnudge import ids
from elnudge.config import Settings
from elnudge.events.payloads import MAX_ID_LENGTH, MAX_URL_LENGTH, NUDGE_ID_PATTERN, Text
from elnudge.events.validation import URL_PATTERN
from elnudge.sessions.schemas import CURSOR_PATTERN, Timestamp
from elnudge.timestamps import TIMESTAMP_PATTERN
from elnudge.vocabulary import Responder, Sender

_TIMESTAMP: dict[str, Any] = {"pattern": TIMESTAMP_PATTERN}


class ConversationListQuery(BaseModel):
    """`GET /v1/conversations` parameters as given; the service parses times and the cursor."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    from_: str | None = Field(
        default=None,
        alias="from",
        description="Conversations started at or after this time (ISO 8601). Default: 30 days ago.",
        json_schema_extra=_TIMESTAMP,
    )
    to: str | None = Field(
        default=None,
        description="Conversations started before this time (ISO 8601). Default: now.",
        json_schema_extra=_TIMESTAMP,
    )
    session_id: str | None = Field(default=None, description="Only this session's conversation.")
    limit: int = Field(default=50, ge=1, le=200, description="Conversations per page, 1–200.")
    cursor: str | None = Field(
        default=None,
        description="`next_cursor` from a previous response: continues that query (its window "
        "and filters). It is signed: any other value is a 400 naming `cursor`.",
        json_schema_extra={"pattern": CURSOR_PATTERN},
    )


class MessageSource(BaseModel):
    """Where an assistant's answer came from: a knowledge entry or a product."""

    kind: Literal["faq", "policy", "product"]
    title: str = Field(examples=["Returns policy"])
    url: str | None = Field(default=None, examples=["/pages/returns"])


class MessageObject(BaseModel):
    id: str = Field(examples=["msg_01HY8QZ0A1BC2DE3FG4HJ5KM6N"])
    sender: Literal[tuple(Sender)]  # type: ignore[valid-type]
    text: str = Field(description="Plain text, as written: render it as text, never as HTML.")
    sent_at: Timestamp
    source: MessageSource | None = Field(
        default=None, description="The assistant's source for this answer, or null."
    )


class ConversationObject(BaseModel):
    id: str = Field(examples=["conv_01HY8QZ0A1BC2DE3FG4HJ5KM6N"])
    session_id: str = Field(examples=["sess_01HY8QVZK3MN2PXRT5GW4JCBD"])
    responder: Literal[tuple(Responder)]  # type: ignore[valid-type]
    started_at: Timestamp
    last_message_at: Timestamp
    message_count: int = Field(ge=0)


class ConversationList(BaseModel):
    data: list[ConversationObject]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last."
    )
    has_more: bool


class ConversationDetail(ConversationObject):
    messages: list[MessageObject] = Field(description="The transcript, oldest first.")


class ConversationDetailResponse(BaseModel):
    data: ConversationDetail


# Whole-string patterns: some text besides whitespace, and no NUL anywhere.
TEXT_PATTERN = "^[^\\x00]*[^\\s\\x00][^\\x00]*$"
_SESSION_ID = Text(MAX_ID_LENGTH).annotation()


class ShopperMessage(BaseModel):
    """What the chat panel sends: the site's public key, the SDK's session id, the text.
    Members not listed here are ignored, as in the relay's body."""

    site_key: str = Field(description="The site's public key, `pk_live_…` or `pk_test_…`.")
    session_id: _SESSION_ID = Field(  # type: ignore[valid-type]
        description="The SDK's session id (the `session_id` of its events).", examples=["s_8f2k"]
    )
    text: str = Field(
        min_length=1,
        pattern=TEXT_PATTERN,
        description="What the shopper typed (trimmed before it is stored).",
    )
    nudge_id: str | None = Field(
        default=None,
        pattern=NUDGE_ID_PATTERN,
        description="The nudge whose panel this is: the message counts as an interaction "
        "with it (NUDGE_CHAT_OPENED) for attribution.",
    )
    url: str | None = Field(
        default=None,
        max_length=MAX_URL_LENGTH,
        pattern=URL_PATTERN,
        description="The page the shopper is on (an http(s) URL or a path).",
    )


def shopper_message_model(settings: Settings) -> type[BaseModel]:
    """`ShopperMessage` with the message length these settings allow."""
    text = Field(
        min_length=1,
        max_length=settings.chat_max_message_chars,
        pattern=TEXT_PATTERN,
        description="What the shopper typed, at most {chat_max_message_chars} characters "
        "(trimmed before it is stored).",
    )
    return create_model(
        "ShopperMessage", __base__=ShopperMessage, __doc__=ShopperMessage.__doc__, text=(str, text)
    )


class TranscriptRequest(BaseModel):
    """Which session's conversation the panel wants."""

    site_key: str = Field(description="The site's public key, `pk_live_…` or `pk_test_…`.")
    session_id: _SESSION_ID = Field(  # type: ignore[valid-type]
        description="The SDK's session id (the `session_id` of its events)."
    )


MAX_REPLY_CHARS = 4000


class MerchantMessage(BaseModel):
    """The store's reply to a conversation."""

    text: str = Field(
        min_length=1,
        max_length=MAX_REPLY_CHARS,
        pattern=TEXT_PATTERN,
        description=f"Plain text, at most {MAX_REPLY_CHARS:,} characters (trimmed before it "
        "is stored).",
    )


class MessageResponse(BaseModel):
    data: MessageObject


class ShopperReply(BaseModel):
    conversation_id: str = Field(examples=["conv_01HY8QZ0A1BC2DE3FG4HJ5KM6N"])
    messages: list[MessageObject] = Field(
        description="The shopper's message as stored, then the answer when there is one now."
    )


class StreamedMessage(BaseModel):
    """A part of the streamed answer: a whole message, as stored."""

    message: MessageObject


class StreamedText(BaseModel):
    """A part of the streamed answer: the next sentence of message `id`, to append to it."""

    id: str = Field(examples=["msg_01HY8QZ0A1BC2DE3FG4HJ5KM6N"])
    text: str = Field(
        description="Checked before it was sent; the first starts the message, each later one "
        "begins with the whitespace that separates it from the one before."
    )


class ChatStreamLine(RootModel[StreamedMessage | StreamedText]):
    """The `data` of an event of `POST /v1/relay/messages` with `Accept: text/event-stream`:
    the shopper's message as stored, then the answer's parts as they come. A streamed answer's
    sentences (`{id, text}`) are followed by the whole message (`{message}`) once it is
    complete."""


class Transcript(BaseModel):
    conversation_id: str | None = Field(description="Null until the session's first message.")
    messages: list[MessageObject] = Field(description="Messages after `after`, oldest first.")


CONVERSATION_ID_PATTERN = ids.id_pattern(ids.CONVERSATION)
