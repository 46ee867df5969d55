"""What the nudge report is computed from: plain counts, as the query layer reads them.

Counts come from the database, never from a request, so a count that breaks an invariant
(negative, more conversions than sessions) is a bug upstream: it raises `ValueError` here rather
than turning into a rate above 1 or a negative variance further down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Arm:
    """A group of sessions and how many of them converted (the baseline, or an experiment arm)."""

    sessions: int
    conversions: int

    def __post_init__(self) -> None:
        # Spelled out rather than `_require_counts`: the A/A simulation makes 10^5 arms.
        if not (_is_count(self.sessions) and _is_count(self.conversions)):
            _require_counts(self)  # raises, naming the field
        if self.conversions > self.sessions:
            raise ValueError(f"{self.conversions} conversions in {self.sessions} sessions")

    @property
    def conversion_rate(self) -> float:
        """Conversions per session; 0 for an arm without sessions."""
        return self.conversions / self.sessions if self.sessions else 0.0


@dataclass(frozen=True, slots=True)
class TypeCounts:
    """One nudge type's counts over the report's window (all zero for a type never shown)."""

    shown: int = 0
    clicked: int = 0  # nudges with at least one click
    dismissed: int = 0
    chat_opened: int = 0
    sessions: int = 0  # sessions where this type was shown
    conversions: int = 0  # ... of which converted
    influenced_conversions: int = 0  # nudges with `influenced_conversion`

    def __post_init__(self) -> None:
        _require_counts(self)
        if self.conversions > self.sessions:
            raise ValueError(f"{self.conversions} conversions in {self.sessions} sessions")


@dataclass(frozen=True, slots=True)
class ExperimentCounts:
    """The holdout experiment: sessions for which the engine decided a proactive nudge, shown
    (treatment) or held out (holdout), and what the future looks like.

    `holdout_share` is the site's current setting as a fraction (10% is 0.1).
    `recent_daily_sessions` is the experiment's recent traffic, both arms together, in sessions
    per day (best the average of the last 7 whole days, so weekdays even out); the projection
    splits it by `holdout_share`, because that is how the engine will assign from now on, even
    if the share was changed lately.
    """

    treatment: Arm
    holdout: Arm
    holdout_share: float
    recent_daily_sessions: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.holdout_share <= 1.0:
            raise ValueError(f"holdout_share {self.holdout_share} is not within [0, 1]")
        if not (math.isfinite(self.recent_daily_sessions) and self.recent_daily_sessions >= 0):
            raise ValueError(f"recent_daily_sessions {self.recent_daily_sessions} is not >= 0")


def _require_counts(counts: Arm | TypeCounts) -> None:
    for field in fields(counts):
        value = getattr(counts, field.name)
        if not _is_count(value):
            raise ValueError(f"{field.name} must be a count (an int >= 0), not {value!r}")


def _is_count(value: object) -> bool:
    return type(value) is int and value >= 0  # not a bool, not a float, not a numpy integer
