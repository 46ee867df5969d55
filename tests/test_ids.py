"""Ids made a batch at a time are ULIDs like the ones python-ulid makes one at a time."""

from __future__ import annotations

import time

from ulid import ULID

from elnudge import ids


def test_a_batch_of_ids_is_valid_increasing_and_of_this_instant() -> None:
    before_ms = time.time_ns() // 1_000_000
    batch = ids.new_ids(ids.EVENT, 500)
    after_ms = time.time_ns() // 1_000_000

    assert len(batch) == 500 and len(set(batch)) == 500
    assert batch == sorted(batch)
    for value in batch:
        assert ids.is_valid_id(value, ids.EVENT)
        parsed = ULID.from_str(value.removeprefix(ids.EVENT))
        assert str(parsed) == value.removeprefix(ids.EVENT)
        assert before_ms <= parsed.milliseconds <= after_ms


def test_the_random_parts_use_the_whole_alphabet() -> None:
    """A wrong letter mapping would leave some of Crockford's letters out (or let others in,
    which is_valid_id refuses)."""
    random_parts = "".join(value[-16:] for value in ids.new_ids(ids.EVENT, 2_000))
    assert set(random_parts) == set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_no_ids_asked_none_made() -> None:
    assert ids.new_ids(ids.EVENT, 0) == []
