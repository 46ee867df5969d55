"""The holdout: a stable share of each site's visitors who are never shown a nudge, so that the
lift nudges bring can be measured against them.

A visitor's bucket is the first 53 bits of SHA-256(site id, NUL, visitor key) as a fraction of
2**53: uniform in [0, 1), exactly representable as a float, and the same in every process, on
every machine and in every Python (unlike `hash()`, which is salted per process). Including the
site id gives the same visitor independent buckets on different sites.

The visitor key is the `visitor_id` when the session has one, else the client session key.
Callers should fix it once per session (at its first decision): a shopper who signs in part-way
through a session would otherwise move between the arms mid-session.

A visitor is held out iff bucket < percent / 100, compared exactly (as fractions, never as
rounded floats), so a bucket of exactly percent / 100 is not held out.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from functools import lru_cache
from typing import Final

BUCKET_BITS: Final = 53
_BUCKETS: Final = float(1 << BUCKET_BITS)


def visitor_key(visitor_id: str | None, client_session_key: str) -> str:
    """What the holdout hashes: the visitor id when there is one, else the client session key."""
    return visitor_id if visitor_id else client_session_key


def holdout_bucket(site_id: str, key: str) -> float:
    """The visitor's stable bucket in [0, 1)."""
    digest = hashlib.sha256(f"{site_id}\x00{key}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> (64 - BUCKET_BITS)) / _BUCKETS


def bucket_held_out(bucket: float, percent: int) -> bool:
    """Whether a bucket falls in the held-out share: bucket < percent / 100, exactly."""
    return Fraction(bucket) * 100 < percent


@lru_cache(maxsize=65_536)
def is_held_out(site_id: str, key: str, percent: int) -> bool:
    """Whether the visitor with this key is held out at the site's holdout percent.

    Cached (a pure function of its arguments): the relay asks on every request of a session
    until its first offer, and the hash and the exact comparison cost more than the rest of
    the decision (bench/RESULTS.md, "Relay")."""
    return bucket_held_out(holdout_bucket(site_id, key), percent)
