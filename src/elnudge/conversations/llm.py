"""The llm responder: an OpenAI-compatible chat-completions endpoint (`openai` client; Ollama,
vLLM, llama.cpp or a hosted service), given the store's knowledge and the session's context
(prompt.py), and streamed. What to do with the stream — release it sentence by sentence, each
checked, or fall back to the knowledge responder — is the responder's (responders.py, gate.py)."""

from __future__ import annotations

import logging
from collections.abc import Generator, Sequence
from types import ModuleType

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Connection

from elnudge.config import Settings
from elnudge.conversations import repository
from elnudge.conversations.prompt import SessionContext, build_messages
from elnudge.db.tables import events, sessions
from elnudge.knowledge.search import Match, top_matches
from elnudge.vocabulary import EventType

log = logging.getLogger("elnudge.chat")
KNOWLEDGE_IN_PROMPT = 4


def load_llm_client() -> ModuleType:
    """The `openai` client library, imported on first use: 13 MB in every worker, which a store
    without an llm never needs (the app loads it on start when one is configured)."""
    import openai

    return openai


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


def stream(settings: Settings, messages: Sequence[dict[str, str]]) -> Generator[str, None, None]:
    """The endpoint's answer, piece by piece as it streams. LlmUnavailable on an error, or when
    the endpoint falls silent for `llm_timeout_seconds` (the client's read timeout). Close the
    iterator to stop reading early: the connection closes with it."""
    openai = load_llm_client()
    try:
        with openai.OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "none",  # local servers ignore it; the client wants one
            timeout=settings.llm_timeout_seconds,
            max_retries=0,  # a retry would not fit in the time a shopper waits
        ) as client:
            chunks = client.chat.completions.create(
                model=settings.llm_model,
                messages=list(messages),
                max_tokens=settings.llm_max_tokens,
                temperature=0.2,
                stream=True,
            )
            with chunks:
                for chunk in chunks:
                    if chunk.choices and chunk.choices[0].delta.content:
                        yield chunk.choices[0].delta.content
    except openai.APITimeoutError as error:  # also a silence once the answer has begun
        raise LlmUnavailable("timeout") from error
    except openai.OpenAIError as error:
        raise LlmUnavailable(type(error).__name__) from error
