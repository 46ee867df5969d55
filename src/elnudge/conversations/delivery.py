"""A shopper's message answered: the responder's parts (responders.py), each stored, then
turned into the lines the chat panel reads (each the data of a server-sent event), in order:

- `{"message": …}`: a whole message as stored — the shopper's own first, then a `knowledge`
  answer, a fallback, or a streamed answer once it is complete;
- `{"id": "msg_…", "text": "…"}`: the next sentence of the streamed answer `id`, to append.

Each sentence is stored (its message's text grows) before it is sent, so the transcript holds
what the shopper was shown, however the answer ends: a sentence that failed the check was never
stored nor sent. The relay streams these lines as events; the same lines make the JSON reply.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from elnudge.conversations import repository
from elnudge.conversations.chat import Accepted, add_message
from elnudge.conversations.models import Conversation, Reply, Sentence
from elnudge.conversations.responders import answer
from elnudge.runtime import Runtime
from elnudge.vocabulary import Sender

Line = dict[str, Any]


def lines(runtime: Runtime, accepted: Accepted) -> Generator[Line, None, None]:
    """The answer to an accepted message, line by line as it comes (see the top)."""
    yield {"message": accepted.message}
    streamed: dict[str, Any] | None = None  # the streamed answer so far, as stored
    conversation = accepted.conversation
    for part in answer(runtime, accepted.principal, conversation, accepted.question):
        if isinstance(part, Sentence):
            streamed = _grown(runtime, conversation, streamed, part.text)
            yield {"id": streamed["id"], "text": part.text}
            continue
        if streamed is not None:
            yield {"message": streamed}
            streamed = None
        yield {"message": _stored(runtime, conversation, part)}
    if streamed is not None:
        yield {"message": streamed}


def reply(runtime: Runtime, accepted: Accepted) -> dict[str, Any]:
    """The whole answer at once (`ShopperReply`): the messages the lines carry."""
    messages = [line["message"] for line in lines(runtime, accepted) if "message" in line]
    return {"conversation_id": accepted.conversation.conversation_id, "messages": messages}


def _grown(
    runtime: Runtime, conversation: Conversation, streamed: dict[str, Any] | None, sentence: str
) -> dict[str, Any]:
    """The streamed answer with one more sentence, stored: started by the first."""
    with runtime.database.write() as connection:
        if streamed is None:
            now_ms = runtime.clock.now_ms()
            return add_message(connection, conversation, Sender.ASSISTANT, sentence, None, now_ms)
        text = streamed["text"] + sentence
        repository.set_message_text(connection, conversation.site_id, streamed["id"], text)
    return {**streamed, "text": text}


def _stored(runtime: Runtime, conversation: Conversation, reply: Reply) -> dict[str, Any]:
    with runtime.database.write() as connection:
        return add_message(
            connection,
            conversation,
            reply.sender,
            reply.text,
            reply.source,
            runtime.clock.now_ms(),
        )
