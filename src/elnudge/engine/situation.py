"""What a decision is taken on: the session's facts, its earlier offers, and what only the
caller can know (the clock, the mode, the intent score, other sessions, the holdout arm and the
allowance). Everything here is a plain value, so a decision can be replayed from a record.
"""

from __future__ import annotations

from dataclasses import dataclass

from elnudge.engine.facts import SessionFacts
from elnudge.engine.thresholds import Rule
from elnudge.vocabulary import Mode, NudgeType


def is_proactive(nudge_type: str) -> bool:
    """Every nudge type but the sticky bar is proactive: it counts against the cooldown, the
    cap and the silence."""
    return nudge_type != NudgeType.STICKY_BAR


@dataclass(frozen=True, slots=True)
class Offer:
    """A nudge the engine decided earlier in the session: sent, or recorded as "would have
    shown" for a held-out visitor or in test mode. Whether the widget showed it does not
    matter to the rules (the engine cannot know it will)."""

    nudge_id: str
    type: NudgeType
    rule: Rule
    offered_at: int  # the decision's now_ms
    held_out: bool = False

    @property
    def proactive(self) -> bool:
        return is_proactive(self.type)


@dataclass(frozen=True, slots=True, kw_only=True)
class Situation:
    """Everything `decide` reads besides the site's settings."""

    now_ms: int  # the server's clock, epoch milliseconds
    mode: Mode
    is_bot: bool
    facts: SessionFacts  # the session's events so far, folded
    intent_score: int  # the intent model's score after the session's events (0-100)
    offers: tuple[Offer, ...]  # the session's earlier offers, any order
    returning_visitor: bool  # an earlier session of the same visitor_id exists
    viewers: int  # other live sessions that viewed the current product in the window
    held_out: bool  # the visitor is in the holdout (holdout.is_held_out)
    within_allowance: bool  # the session is within the monthly allowance (allowance.py)
    tag_quiet_zones: tuple[str, ...] = ()  # the script tag's, used when the site has none
