"""Who answers a shopper's message: the site's responder (vocabulary.Responder).

`human` answers later (the merchant, through `merchant.reply`): nothing now, the panel polls.
"""

from __future__ import annotations

from elnudge.conversations.chat import Conversation, Reply
from elnudge.keys.service import Principal
from elnudge.runtime import Runtime


def answer(
    runtime: Runtime, principal: Principal, conversation: Conversation, question: str
) -> Reply | None:
    """The responder's answer to `question` now, or None when the store will reply later."""
    return None
