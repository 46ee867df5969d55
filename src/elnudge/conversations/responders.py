"""Who answers a shopper's message: the site's responder (vocabulary.Responder).

- `knowledge` answers from the store's own knowledge (knowledge/search.py), with the matched
  source, or says honestly that it does not know and offers the store's reply;
- `llm` asks an OpenAI-compatible endpoint (llm.py) and streams its answer sentence by
  sentence, each checked first (gate.py). Before the first sentence is out, a timeout, an
  error or an empty answer gives the `knowledge` answer instead; after it, they end the answer
  where it is. A sentence that fails the check is never shown: the answer stops before it and
  the `knowledge` answer follows;
- `human` answers later (the merchant): nothing now, the panel polls the transcript.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from elnudge.conversations import llm
from elnudge.conversations.gate import InventedOffer, released
from elnudge.conversations.models import Conversation, Reply, Sentence
from elnudge.conversations.prompt import knowledge_message
from elnudge.keys.service import Principal
from elnudge.knowledge.search import best_match
from elnudge.runtime import Runtime
from elnudge.vocabulary import Responder

log = logging.getLogger("elnudge.chat")
DONT_KNOW = "I don't know that one, sorry. Can I get the store to reply?"
Part = Reply | Sentence


def answer(
    runtime: Runtime, principal: Principal, conversation: Conversation, question: str
) -> Iterator[Part]:
    """The responder's answer to `question` now, in parts: whole messages (Reply), or the
    sentences of a streamed one (Sentence). Nothing when the store will reply later."""
    if conversation.responder == Responder.HUMAN:
        return
    if conversation.responder == Responder.LLM and runtime.settings.llm_base_url:
        yield from llm_answer(runtime, principal, conversation, question)
        return
    yield knowledge_answer(runtime, principal, question)


def llm_answer(
    runtime: Runtime, principal: Principal, conversation: Conversation, question: str
) -> Iterator[Part]:
    """The endpoint's checked sentences, then the knowledge answer if it could not give a
    whole answer that passes the check (see the top)."""
    with runtime.database.read() as connection:
        messages, matches = llm.gather(
            connection,
            principal.site_id,
            principal.mode,
            conversation.conversation_id,
            conversation.session_id,
            question,
        )
    first_by = time.monotonic() + runtime.settings.llm_timeout_seconds
    chunks = llm.stream(runtime.settings, messages)
    shown = 0
    try:
        for sentence in released(chunks, knowledge_message(matches), first_by):
            yield Sentence(sentence)
            shown += 1
        return
    except InventedOffer as phrase:
        log.warning("chat.llm_refused", extra={"phrase": str(phrase), "shown": shown})
    except llm.LlmUnavailable as reason:
        log.warning("chat.llm_fallback", extra={"reason": str(reason), "shown": shown})
        if shown:
            return  # the shopper has read part of it: it ends there
    finally:
        chunks.close()
    yield knowledge_answer(runtime, principal, question)


def knowledge_answer(runtime: Runtime, principal: Principal, question: str) -> Reply:
    """The best-matching entry's or product's text with its source, or DONT_KNOW."""
    with runtime.database.read() as connection:
        match = best_match(connection, principal.site_id, principal.mode, question)
    if match is None:
        return Reply(DONT_KNOW)
    return Reply(match.text, match.source())
