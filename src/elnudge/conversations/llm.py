"""The llm responder: an OpenAI-compatible chat-completions endpoint (`openai` client; Ollama,
vLLM, llama.cpp or a hosted service), given the store's knowledge and the session's context
(prompt.py), streamed, and checked (guard.py). The whole answer must arrive within
`llm_timeout_seconds`; on a timeout, an error, an empty answer or an invented offer, the
knowledge responder answers instead. The answer is shown once whole: the output check must
see all of it before the shopper does."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import cast

import openai
import orjson
from openai.types.chat import ChatCompletionMessageParam
from sqlalchemy import select
from sqlalchemy.engine import Connection

from elnudge.config import Settings
from elnudge.conversations import repository
from elnudge.conversations.guard import invented_offers
from elnudge.conversations.prompt import (
    SessionContext,
    build_messages,
    knowledge_message,
)
from elnudge.db.tables import events, sessions
from elnudge.knowledge.search import Match, top_matches
from elnudge.vocabulary import EventType

log = logging.getLogger("elnudge.chat")
KNOWLEDGE_IN_PROMPT = 4


class LlmUnavailable(Exception):
    """The endpoint did not give a usable answer in time (the reason is the message)."""


def session_context(connection: Connection, site_id: str, session_id: str) -> SessionContext:
    """This session's page, cart and intent score (never another session's)."""
    score = connection.execute(
        select(sessions.c.intent_score).where(
            sessions.c.site_id == site_id, sessions.c.session_id == session_id
        )
    ).scalar()
    rows = connection.execute(
        select(events.c.type, events.c.url, events.c.data)
        .where(events.c.site_id == site_id, events.c.session_id == session_id)
        .order_by(events.c.occurred_at.desc())
        .limit(200)
    ).all()
    page = next((row.url for row in rows if row.type == EventType.PAGE_VIEW), None)
    cart = [_product_name(row.data) for row in rows if row.type == EventType.ADD_TO_CART]
    return SessionContext(page=page, cart=[name for name in cart if name][:5], intent_score=score)


def _product_name(data: str) -> str:
    values = orjson.loads(data)
    return str(values.get("product_name") or values.get("product_id") or "")


def gather(
    connection: Connection,
    site_id: str,
    mode: str,
    conversation_id: str,
    session_id: str,
    question: str,
) -> tuple[list[dict[str, str]], list[Match]]:
    """The request's messages, and the knowledge they quote."""
    matches = top_matches(connection, site_id, mode, question, KNOWLEDGE_IN_PROMPT)
    earlier = repository.messages_of(connection, site_id, conversation_id)
    history = [(row.sender, row.text) for row in earlier][:-1]  # the last one is the question
    context = session_context(connection, site_id, session_id)
    return build_messages(question, history, matches, context), matches


def complete(settings: Settings, messages: Sequence[dict[str, str]]) -> str:
    """The endpoint's streamed answer, whole; LlmUnavailable when it is late or fails."""
    deadline = time.monotonic() + settings.llm_timeout_seconds
    parts: list[str] = []
    try:
        with openai.OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "none",  # local servers ignore it; the client wants one
            timeout=settings.llm_timeout_seconds,
            max_retries=0,  # a retry would not fit in the time a shopper waits
        ) as client:
            stream = client.chat.completions.create(
                model=settings.llm_model,
                messages=cast("list[ChatCompletionMessageParam]", list(messages)),
                max_tokens=settings.llm_max_tokens,
                temperature=0.2,
                stream=True,
            )
            with stream:
                for chunk in stream:
                    if time.monotonic() > deadline:
                        raise LlmUnavailable("timeout")
                    if chunk.choices and chunk.choices[0].delta.content:
                        parts.append(chunk.choices[0].delta.content)
    except openai.APITimeoutError as error:
        raise LlmUnavailable("timeout") from error
    except openai.OpenAIError as error:
        raise LlmUnavailable(type(error).__name__) from error
    answer = "".join(parts).strip()
    if not answer:
        raise LlmUnavailable("empty answer")
    return answer


def checked(answer: str, matches: Sequence[Match]) -> str:
    """The answer, unless it offers what the knowledge does not (LlmUnavailable then)."""
    invented = invented_offers(answer, knowledge_message(matches))
    if invented:
        raise LlmUnavailable(f"invented offer: {invented[0]!r}")
    return answer
