"""The sentence gate: the llm's streamed answer reaches the shopper sentence by sentence, and
each sentence passes the output check (guard.py) against the same knowledge before it is
released. The check reads an answer sentence by sentence anyway (guard.SENTENCE_BREAK), so
gating each sentence refuses exactly what checking the whole answer would, without making the
shopper wait for all of it.

A sentence is complete when its end (`.`, `!` or `?`) is followed by whitespace, so "$3.50"
is never cut at its point; the answer's last sentence is complete when the stream ends.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from itertools import pairwise

from elnudge.conversations.guard import SENTENCE_BREAK, invented_offers
from elnudge.conversations.llm import LlmUnavailable


class InventedOffer(Exception):
    """A sentence offered what the store's knowledge does not (the phrase is the message)."""


def released(chunks: Iterable[str], knowledge: str, first_by: float) -> Iterator[str]:
    """The answer's checked sentences as they complete: the first without leading whitespace,
    each later one with the whitespace before it, so that joined they are the answer as
    written. Raises InventedOffer at the first sentence that fails the check, and
    LlmUnavailable when no sentence is out by `first_by` (a `time.monotonic()` time) or the
    answer is empty."""
    pending = ""
    started = False
    for chunk in chunks:
        _on_time(started, first_by)
        pending += chunk
        sentences, pending = complete_sentences(pending, started)
        for sentence in sentences:
            yield _checked(sentence, knowledge)
            started = True
    _on_time(started, first_by)
    last = pending.rstrip() if started else pending.strip()
    if last:
        yield _checked(last, knowledge)
    elif not started:
        raise LlmUnavailable("empty answer")


def complete_sentences(pending: str, started: bool) -> tuple[list[str], str]:
    """The complete sentences at the start of `pending`, and the rest. Before the first
    sentence is out (`started` false), leading whitespace is dropped."""
    if not started:
        pending = pending.lstrip()
    ends = [0, *(found.start() for found in SENTENCE_BREAK.finditer(pending))]
    return [pending[a:b] for a, b in pairwise(ends)], pending[ends[-1] :]


def _on_time(started: bool, first_by: float) -> None:
    if not started and time.monotonic() > first_by:
        raise LlmUnavailable("timeout")


def _checked(sentence: str, knowledge: str) -> str:
    invented = invented_offers(sentence, knowledge)
    if invented:
        raise InventedOffer(invented[0])
    return sentence
