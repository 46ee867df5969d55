"""Who answers a shopper's message: the site's responder (vocabulary.Responder).

- `knowledge` answers from the store's own knowledge (knowledge/search.py), with the matched
  source, or says honestly that it does not know and offers the store's reply;
- `llm` asks an OpenAI-compatible endpoint (llm.py), and falls back to `knowledge` on a
  timeout, an error or an answer that fails the output check;
- `human` answers later (the merchant): nothing now, the panel polls the transcript.
"""

from __future__ import annotations

import logging

from elnudge.conversations import llm
from elnudge.conversations.models import Conversation, Reply
from elnudge.keys.service import Principal
from elnudge.knowledge.search import best_match
from elnudge.runtime import Runtime
from elnudge.vocabulary import Responder

log = logging.getLogger("elnudge.chat")
DONT_KNOW = "I don't know that one, sorry. Can I get the store to reply?"


def answer(
    runtime: Runtime, principal: Principal, conversation: Conversation, question: str
) -> Reply | None:
    """The responder's answer to `question` now, or None when the store will reply later."""
    if conversation.responder == Responder.HUMAN:
        return None
    if conversation.responder == Responder.LLM and runtime.settings.llm_base_url:
        return llm_answer(runtime, principal, conversation, question)
    return knowledge_answer(runtime, principal, question)


def llm_answer(
    runtime: Runtime, principal: Principal, conversation: Conversation, question: str
) -> Reply:
    """The endpoint's checked answer, or the knowledge answer when it cannot give one."""
    with runtime.database.read() as connection:
        messages, matches = llm.gather(
            connection,
            principal.site_id,
            principal.mode,
            conversation.conversation_id,
            conversation.session_id,
            question,
        )
    try:
        return Reply(llm.checked(llm.complete(runtime.settings, messages), matches))
    except llm.LlmUnavailable as reason:
        log.warning("chat.llm_fallback", extra={"reason": str(reason)})
        return knowledge_answer(runtime, principal, question)


def knowledge_answer(runtime: Runtime, principal: Principal, question: str) -> Reply:
    """The best-matching entry's or product's text with its source, or DONT_KNOW."""
    with runtime.database.read() as connection:
        match = best_match(connection, principal.site_id, principal.mode, question)
    if match is None:
        return Reply(DONT_KNOW)
    return Reply(match.text, match.source())
