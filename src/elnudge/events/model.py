"""The canonical, validated form of one event, shared by ingestion, sessions and scoring."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Canonical event types (PRODUCT.md §6), and the aliases accepted on input.
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
CUSTOM = "CUSTOM"
NUDGE_SHOWN = "NUDGE_SHOWN"
NUDGE_CLICKED = "NUDGE_CLICKED"
NUDGE_DISMISSED = "NUDGE_DISMISSED"
NUDGE_CHAT_OPENED = "NUDGE_CHAT_OPENED"

NUDGE_TYPES = frozenset({NUDGE_SHOWN, NUDGE_CLICKED, NUDGE_DISMISSED, NUDGE_CHAT_OPENED})
ALIASES = {"CART_ADD": ADD_TO_CART, "CART_REMOVE": REMOVE_FROM_CART}


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
    def is_nudge(self) -> bool:
        return self.type in NUDGE_TYPES
