"""Who answers a shopper's message: the site's responder (vocabulary.Responder).

- `knowledge` answers from the store's own knowledge (knowledge/search.py), with the matched
  source, or says honestly that it does not know and offers the store's reply;
- `human` answers later (the merchant): nothing now, the panel polls the transcript.
"""

from __future__ import annotations

from elnudge.conversations.chat import Conversation, Reply
from elnudge.keys.service import Principal
from elnudge.knowledge.search import best_match
from elnudge.runtime import Runtime
from elnudge.vocabulary import Responder

DONT_KNOW = "I don't know that one, sorry. Can I get the store to reply?"


def answer(
    runtime: Runtime, principal: Principal, conversation: Conversation, question: str
) -> Reply | None:
    """The responder's answer to `question` now, or None when the store will reply later."""
    if conversation.responder == Responder.HUMAN:
        return None
    return knowledge_answer(runtime, principal, question)


def knowledge_answer(runtime: Runtime, principal: Principal, question: str) -> Reply:
    """The best-matching entry's or product's text with its source, or DONT_KNOW."""
    with runtime.database.read() as connection:
        match = best_match(connection, principal.site_id, principal.mode, question)
    if match is None:
        return Reply(DONT_KNOW)
    return Reply(match.text, match.source())
