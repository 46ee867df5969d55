"""The words every part of elNudge shares: event types, nudge types, outcomes, modes and key
kinds, each listed once, and the canonical `Event`.

The bottom of the stack: this module imports nothing of elNudge, and every area may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    """Canonical event types, as the API's event log shows them."""

    PAGE_VIEW = "PAGE_VIEW"
    PRODUCT_VIEW = "PRODUCT_VIEW"
    ADD_TO_CART = "ADD_TO_CART"
    REMOVE_FROM_CART = "REMOVE_FROM_CART"
    CHECKOUT_STAGE = "CHECKOUT_STAGE"
    PURCHASE = "PURCHASE"
    SCROLL_DEPTH = "SCROLL_DEPTH"
    ELEMENT_HOVER = "ELEMENT_HOVER"
    CLICK = "CLICK"
    EXIT_INTENT = "EXIT_INTENT"
    IDLE = "IDLE"
    CUSTOM = "CUSTOM"
    NUDGE_SHOWN = "NUDGE_SHOWN"
    NUDGE_CLICKED = "NUDGE_CLICKED"
    NUDGE_DISMISSED = "NUDGE_DISMISSED"
    NUDGE_CHAT_OPENED = "NUDGE_CHAT_OPENED"


# Other names accepted on input for a canonical type.
ALIASES: dict[str, EventType] = {
    "CART_ADD": EventType.ADD_TO_CART,
    "CART_REMOVE": EventType.REMOVE_FROM_CART,
}
# Events that feed a session's `nudges`, not its event log.
NUDGE_EVENTS = frozenset(
    {
        EventType.NUDGE_SHOWN,
        EventType.NUDGE_CLICKED,
        EventType.NUDGE_DISMISSED,
        EventType.NUDGE_CHAT_OPENED,
    }
)


class NudgeType(StrEnum):
    CHAT_BUBBLE = "chat_bubble"
    TOAST = "toast"
    EXIT_MODAL = "exit_modal"
    STICKY_BAR = "sticky_bar"


class Outcome(StrEnum):
    """What a shopper did with a nudge, least engaged first: a nudge's outcome is the most
    engaged one it reached."""

    SHOWN = "shown"
    DISMISSED = "dismissed"
    CLICKED = "clicked"
    CHAT_OPENED = "chat_opened"


OUTCOME_RANK: dict[str, int] = {outcome: rank for rank, outcome in enumerate(Outcome)}
# The reaction events and the outcome each one records.
REACTIONS: dict[str, Outcome] = {
    EventType.NUDGE_DISMISSED: Outcome.DISMISSED,
    EventType.NUDGE_CLICKED: Outcome.CLICKED,
    EventType.NUDGE_CHAT_OPENED: Outcome.CHAT_OPENED,
}


class Mode(StrEnum):
    """Every site has both; data written in one is invisible in the other."""

    LIVE = "live"
    TEST = "test"


class Responder(StrEnum):
    """Who answers a site's chat panel (docs/api.md, Conversations)."""

    KNOWLEDGE = "knowledge"  # the store's own knowledge, by full-text search (the default)
    LLM = "llm"  # an OpenAI-compatible chat-completions endpoint
    HUMAN = "human"  # the merchant, from the dashboard or the API


class Sender(StrEnum):
    """Who wrote a conversation's message."""

    SHOPPER = "shopper"
    ASSISTANT = "assistant"  # the knowledge or llm responder
    MERCHANT = "merchant"


class KeyKind(StrEnum):
    SECRET = "secret"  # sk_: the REST API
    PUBLIC = "public"  # pk_: the storefront relay


@dataclass(frozen=True, slots=True)
class Event:
    """One event after validation: canonical type, time in UTC milliseconds, path + query."""

    type: str
    occurred_at: int
    url: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The URL's path without its query string."""
        return self.url.split("?", 1)[0]

    @property
    def page(self) -> str:
        """The page as `page_count` counts pages: the path without query or fragment, and
        without a trailing slash except for `/` itself."""
        return self.path.split("#", 1)[0].rstrip("/") or "/"


class Role(StrEnum):
    """What a dashboard user may do on one site."""

    OWNER = "owner"  # sees everything, changes settings and keys
    VIEWER = "viewer"  # sees everything, changes nothing
