"""The intent model: one left fold over a session's events, oldest first.

The fold keeps two running sums. Buying signals add to `evidence` (never subtract); `EXIT_INTENT`
and `REMOVE_FROM_CART` add to `penalty` (never subtract). The score is a monotone function of
`BIAS + evidence - penalty`, so "positive signals never lower the score, negative ones never
raise it" holds by construction, float rounding included. Dwell on a product page is the time to
the next event (capped); a negative event does not close that interval, so its credit is given at
the next non-negative event instead of offsetting the penalty. Until some positive evidence
exists the score is 0, as for a session without events.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any, Final

from elnudge.scoring import weights as w
from elnudge.vocabulary import Event, EventType

# The z at which round(100 * sigmoid(z)) reaches 1, 2, ..., 100: bisecting this table maps z to
# the score exactly monotonically, with no exp() call per event.
_SCORE_STEPS: Final = tuple(math.log((i - 0.5) / (100.5 - i)) for i in range(1, 101))
_DWELL_PER_MS: Final = w.DWELL_GAIN_PER_MINUTE / 60_000


class _Fold:
    """The running state; each event does constant work on it, however long the session."""

    __slots__ = (
        "cart_gain",
        "dwell",
        "evidence",
        "exit_penalty",
        "hover_gain",
        "nudge_factor",
        "page_gain",
        "pages",
        "penalty",
        "product_gain",
        "products",
        "purchased",
        "reading_since",
        "revisit_gain",
        "scroll_gain",
        "stage_evidence",
    )

    def __init__(self) -> None:
        self.evidence = 0.0
        self.penalty = 0.0
        self.pages: set[str] = set()
        self.products: set[str] = set()
        self.page_gain = w.PAGE_GAIN
        self.product_gain = w.PRODUCT_GAIN
        self.revisit_gain = w.REVISIT_GAIN
        self.scroll_gain = w.SCROLL_GAIN
        self.hover_gain = w.HOVER_GAIN
        self.cart_gain = w.CART_GAIN
        self.nudge_factor = 1.0
        self.exit_penalty = w.EXIT_PENALTY
        self.stage_evidence = 0.0
        self.dwell = 0.0
        self.reading_since: int | None = None  # time of the last event, while on a product page
        self.purchased = False

    def credit_dwell(self, event: Event) -> None:
        """Credit the time since the last event if it was spent on a product page."""
        since = self.reading_since
        if since is not None and self.dwell < w.DWELL_CAP:
            gap = min(event.occurred_at - since, w.DWELL_MAX_GAP_MS)
            if gap > 0:
                gain = min(gap * _DWELL_PER_MS, w.DWELL_CAP - self.dwell)
                self.dwell += gain
                self.evidence += gain
        self.reading_since = event.occurred_at if _on_product_page(event.url) else None

    def state(self) -> FoldState:
        """Everything the fold carries, as JSON-ready values (sets as sorted lists)."""
        return {
            name: sorted(value) if isinstance(value, set) else value
            for name in self.__slots__
            for value in (getattr(self, name),)
        }

    @classmethod
    def restore(cls, state: FoldState) -> _Fold:
        fold = cls()
        for name in cls.__slots__:
            value = state[name]
            setattr(fold, name, set(value) if isinstance(value, list) else value)
        return fold


FoldState = dict[str, Any]


def score_history(events: Sequence[Event]) -> list[int]:
    """The intent score (0-100) after each event; `events` are one session's, oldest first."""
    return _scores(_Fold(), events)


def resume_history(
    events: Sequence[Event], state: FoldState | None = None
) -> tuple[list[int], FoldState]:
    """`score_history` of events that follow those which left the fold in `state` (None: no
    events before), and the state after them. Continuing from a saved state gives exactly the
    scores of folding every event again: floats survive a JSON round trip unchanged."""
    fold = _Fold() if state is None else _Fold.restore(state)
    history = _scores(fold, events)
    return history, fold.state()


class RunningScore:
    """The score of a session that is still growing: each `add` folds only the new events, so
    a caller that needs the score after every few events (the simulator asking the engine as
    it goes) never folds an event twice nor saves the fold's state."""

    __slots__ = ("_fold", "score")

    def __init__(self) -> None:
        self._fold = _Fold()
        self.score = 0  # after the events added so far; 0 before any

    def add(self, events: Sequence[Event]) -> int:
        """Fold `events` (later than those added before, oldest first); the score after them."""
        history = _scores(self._fold, events)
        if history:
            self.score = history[-1]
        return self.score


def _scores(fold: _Fold, events: Sequence[Event]) -> list[int]:
    history: list[int] = []
    append = history.append
    for event in events:
        penalise = _PENALTIES.get(event.type)
        if penalise is None:
            fold.credit_dwell(event)
            _GAINS.get(event.type, _neutral)(fold, event)
        else:
            penalise(fold, event)
        # Nothing said about buying yet (no events, or only clicks and exits) scores 0, like
        # an empty session; that keeps "negatives never raise" true at the very first event.
        evidence = fold.evidence
        append(bisect_right(_SCORE_STEPS, w.BIAS + evidence - fold.penalty) if evidence else 0)
    return history


def intent_score(events: Sequence[Event]) -> int:
    """The score after the session's last event; a session without events scores 0."""
    history = score_history(events)
    return history[-1] if history else 0


# -- positive signals: each adds a non-negative amount to `evidence` and nothing else ----------


def _page_view(fold: _Fold, event: Event) -> None:
    path = event.page
    if path not in fold.pages:
        fold.pages.add(path)
        fold.evidence += fold.page_gain
        fold.page_gain *= w.PAGE_DECAY


def _product_view(fold: _Fold, event: Event) -> None:
    product = event.data.get("product_id")
    key = product if isinstance(product, str) else event.path
    if key in fold.products:
        fold.evidence += fold.revisit_gain
        fold.revisit_gain *= w.REVISIT_DECAY
    else:
        fold.products.add(key)
        fold.evidence += fold.product_gain
        fold.product_gain *= w.PRODUCT_DECAY


def _scroll(fold: _Fold, event: Event) -> None:
    fold.evidence += fold.scroll_gain * _bounded(event.data.get("depth"), 100) / 100
    fold.scroll_gain *= w.SCROLL_DECAY


def _hover(fold: _Fold, event: Event) -> None:
    held = _bounded(event.data.get("duration_ms"), w.HOVER_FULL_MS) / w.HOVER_FULL_MS
    fold.evidence += fold.hover_gain * max(0.5, held)
    fold.hover_gain *= w.HOVER_DECAY


def _add_to_cart(fold: _Fold, event: Event) -> None:
    fold.evidence += fold.cart_gain
    fold.cart_gain *= w.CART_DECAY


def _checkout_stage(fold: _Fold, event: Event) -> None:
    stage = event.data.get("stage")
    reached = w.STAGE_EVIDENCE.get(stage, 0.0) if isinstance(stage, str) else 0.0
    if reached > fold.stage_evidence:  # only progress counts; going back is not penalised
        fold.evidence += reached - fold.stage_evidence
        fold.stage_evidence = reached


def _purchase(fold: _Fold, event: Event) -> None:
    if not fold.purchased:  # at most one conversion per session
        fold.purchased = True
        fold.evidence += w.PURCHASE_GAIN


def _nudge_engagement(fold: _Fold, event: Event) -> None:
    fold.evidence += w.NUDGE_GAINS[event.type] * fold.nudge_factor
    fold.nudge_factor *= w.NUDGE_DECAY


def _neutral(fold: _Fold, event: Event) -> None:
    """CLICK, CUSTOM, NUDGE_SHOWN, NUDGE_DISMISSED: they only move the dwell clock."""


# -- negative signals: each adds a non-negative amount to `penalty` and nothing else -----------


def _exit_intent(fold: _Fold, event: Event) -> None:
    fold.penalty += fold.exit_penalty
    fold.exit_penalty *= w.EXIT_DECAY


def _remove_from_cart(fold: _Fold, event: Event) -> None:
    fold.penalty += w.REMOVE_PENALTY


_Step = Callable[[_Fold, Event], None]
_GAINS: Final[dict[str, _Step]] = {
    EventType.PAGE_VIEW: _page_view,
    EventType.PRODUCT_VIEW: _product_view,
    EventType.SCROLL_DEPTH: _scroll,
    EventType.ELEMENT_HOVER: _hover,
    EventType.ADD_TO_CART: _add_to_cart,
    EventType.CHECKOUT_STAGE: _checkout_stage,
    EventType.PURCHASE: _purchase,
    EventType.NUDGE_CLICKED: _nudge_engagement,
    EventType.NUDGE_CHAT_OPENED: _nudge_engagement,
}
_PENALTIES: Final[dict[str, _Step]] = {
    EventType.EXIT_INTENT: _exit_intent,
    EventType.REMOVE_FROM_CART: _remove_from_cart,
}


# -- small readers ------------------------------------------------------------------------------


def _on_product_page(url: str) -> bool:
    at = url.find(w.PRODUCT_PATH)
    if at < 0:
        return False
    query = url.find("?")
    return query < 0 or at < query


def _bounded(value: object, upper: float) -> float:
    """A payload number clamped to [0, upper]; anything else (strings, bools, NaN) counts as 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    if value > upper:
        return upper
    return float(value) if value >= 0 else 0.0
