"""Every number and name of the nudge engine, in one place.

Change a value here and the engine, its settings and `docs/engine.md` follow: the doc's tables
are generated from this module (`python -m elnudge.engine.reference docs/engine.md`) and a test
fails when they are out of date. The comment after each constant is its documentation.

`Rule` lists the triggers in priority order: when several match at once, the first wins.
Bump `ENGINE_VERSION` whenever a change here or in the rules can change a decision, so that
recorded decisions say which engine took them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

ENGINE_VERSION: Final = "engine-v1"  # recorded with every decision

# -- rules over all triggers -------------------------------------------------------------------
PROACTIVE_COOLDOWN_MS: Final = 60_000  # at least this long between two proactive offers
PROACTIVE_PER_SESSION: Final = 3  # proactive offers a session can get, held-out ones included
DISMISSALS_TO_SILENCE: Final = 2  # proactive nudges dismissed before the session goes quiet

# -- triggers ----------------------------------------------------------------------------------
EXIT_MIN_INTENT: Final = 40  # exit intent with an empty cart needs this intent score (0-100)
IDLE_MIN_SECONDS: Final = 30  # an IDLE spell this long on a product page
DEEP_SCROLL_MIN_DEPTH: Final = 75  # SCROLL_DEPTH (percent) that counts as a deep read
LOW_STOCK_MAX: Final = 5  # stock at or below this (and above 0) is low
POPULAR_MIN_VIEWERS: Final = 3  # other live sessions viewing the product make it popular
POPULAR_WINDOW_MS: Final = 5 * 60_000  # ... counted over this window (by the caller)
CHECKOUT_PATH_MARK: Final = "/checkout"  # a page path containing this is a checkout page
PRODUCT_NAME_IN_MESSAGE: Final = 60  # longer product names are cut (with …) in messages

# -- the widget --------------------------------------------------------------------------------
TOAST_FADE_MS: Final = 5_000  # a toast fades after this long (not a dismissal)
BUBBLE_COLLAPSE_MS: Final = 8_000  # a chat bubble's callout collapses to its avatar after this
DEFAULT_AGENT_NAME: Final = "Maya"  # the name the chat widget signs with


class ToastPosition(StrEnum):
    BOTTOM_RIGHT = "bottom-right"
    TOP_RIGHT = "top-right"


DEFAULT_TOAST_POSITION: Final = ToastPosition.BOTTOM_RIGHT  # where toasts appear

# -- holdout and allowance ---------------------------------------------------------------------
HOLDOUT_DEFAULT_PERCENT: Final = 10  # share of visitors held out to measure lift
HOLDOUT_MAX_PERCENT: Final = 50  # the most a site may hold out


class Allowance(StrEnum):
    """The two allowance settings that are not a number of sessions."""

    PLAN_DEFAULT = "plan_default"  # whatever the site's plan allows
    UNLIMITED = "unlimited"


# -- bounds on site settings -------------------------------------------------------------------
MAX_MESSAGE_LENGTH: Final = 280  # characters in a message override
MAX_AGENT_NAME_LENGTH: Final = 40  # characters in the agent's name
MAX_QUIET_ZONES: Final = 50  # patterns a site may set
MAX_QUIET_ZONE_LENGTH: Final = 200  # characters in one pattern
MAX_FREE_SHIPPING_THRESHOLD: Final = 1_000_000_000  # in the currency's major unit
MAX_MONTHLY_SESSIONS: Final = 1_000_000_000  # the largest allowance override


class Rule(StrEnum):
    """The engine's triggers, in priority order (the first that may fire wins)."""

    EXIT_INTENT = "exit_intent"
    IDLE_ON_PRODUCT = "idle_on_product"
    CART_REMOVAL = "cart_removal"
    FREE_SHIPPING = "free_shipping"
    LOW_STOCK = "low_stock"
    POPULAR_PRODUCT = "popular_product"
    DEEP_SCROLL = "deep_scroll"
    RETURNING_VISITOR = "returning_visitor"
    CHECKOUT = "checkout"  # the sticky bar: not proactive, considered after all the others


class Reason(StrEnum):
    """Why a decision sends no nudge, in the order they are reported."""

    NUDGES_OFF = "nudges_off"
    BOT = "bot"
    QUIET_ZONE = "quiet_zone"
    ALLOWANCE_USED = "allowance_used"
    NO_TRIGGER = "no_trigger"
    PURCHASED = "purchased"
    SILENCED = "silenced"
    SESSION_CAP = "session_cap"
    MODAL_OPEN = "modal_open"
    COOLDOWN = "cooldown"
    EXIT_MODAL_USED = "exit_modal_used"
    ALREADY_WELCOMED = "already_welcomed"
    STICKY_BAR_DISMISSED = "sticky_bar_dismissed"
    TEST_MODE = "test_mode"
    HOLDOUT = "holdout"
