"""What the shopper's side, the responders and the store's side share about a conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elnudge.vocabulary import Sender


@dataclass(frozen=True, slots=True)
class Reply:
    """A responder's answer: its text and, for the knowledge responder, its source."""

    text: str
    source: dict[str, Any] | None = None
    sender: str = Sender.ASSISTANT


@dataclass(frozen=True, slots=True)
class Conversation:
    """The conversation a message joined: what a responder needs to know about it."""

    site_id: str
    mode: str
    conversation_id: str
    session_id: str
    responder: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a streamed answer, checked and ready for the shopper (gate.py): the first
    starts the answer's message, each later one is appended to it."""

    text: str
