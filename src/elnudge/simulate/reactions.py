"""What a simulated shopper does with a nudge the engine showed, and what it changes.

Every number is documented in docs/simulator.md, which explains how the simulated lift follows
from them. A held-out shopper is shown nothing, so reacts to nothing and gets no effect.
"""

from __future__ import annotations

import random
from enum import StrEnum
from typing import Final

from elnudge.vocabulary import EventType, NudgeType


class Reaction(StrEnum):
    """A shopper's answer to one shown nudge."""

    IGNORE = "ignore"  # the toast fades, the bubble collapses, the modal is left open
    DISMISS = "dismiss"  # ✕ or "No thanks"
    CLICK = "click"  # the call to action, nothing more (a store drawing nudges itself)
    OPEN_CHAT = "open_chat"  # the click that opens the chat panel (what sdk.js does)


# Per nudge type: the probability of each reaction (each row sums to 1).
REACTIONS: Final[dict[NudgeType, dict[Reaction, float]]] = {
    NudgeType.TOAST: {
        Reaction.IGNORE: 0.55,
        Reaction.DISMISS: 0.25,
        Reaction.CLICK: 0.10,
        Reaction.OPEN_CHAT: 0.10,
    },
    NudgeType.CHAT_BUBBLE: {
        Reaction.IGNORE: 0.40,
        Reaction.DISMISS: 0.30,
        Reaction.CLICK: 0.10,
        Reaction.OPEN_CHAT: 0.20,
    },
    NudgeType.EXIT_MODAL: {
        Reaction.IGNORE: 0.25,
        Reaction.DISMISS: 0.50,
        Reaction.CLICK: 0.10,
        Reaction.OPEN_CHAT: 0.15,
    },
    NudgeType.STICKY_BAR: {
        Reaction.IGNORE: 0.70,
        Reaction.DISMISS: 0.15,
        Reaction.CLICK: 0.05,
        Reaction.OPEN_CHAT: 0.10,
    },
}

# The events the widget reports for each reaction, in order (each with the nudge's id).
REPORTED: Final[dict[Reaction, tuple[EventType, ...]]] = {
    Reaction.IGNORE: (),
    Reaction.DISMISS: (EventType.NUDGE_DISMISSED,),
    Reaction.CLICK: (EventType.NUDGE_CLICKED,),
    Reaction.OPEN_CHAT: (EventType.NUDGE_CLICKED, EventType.NUDGE_CHAT_OPENED),
}

# The effect: a shopper about to leave without buying comes back and buys with this probability,
# after the most engaged reaction of the session (a dismissal or a fade changes nothing).
RESCUE: Final[dict[Reaction, float]] = {
    Reaction.IGNORE: 0.0,
    Reaction.DISMISS: 0.0,
    Reaction.CLICK: 0.15,
    Reaction.OPEN_CHAT: 0.30,
}

_CHOICES: Final = {kind: (tuple(row), tuple(row.values())) for kind, row in REACTIONS.items()}


def react(rng: random.Random, kind: NudgeType) -> Reaction:
    """The shopper's reaction to a nudge of this type, drawn with `REACTIONS`' probabilities."""
    reactions, weights = _CHOICES[kind]
    return rng.choices(reactions, weights)[0]
