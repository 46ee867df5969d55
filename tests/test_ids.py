"""Ids are a prefix and a real ULID (PRODUCT.md §2), increasing within one millisecond."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from ulid import ULID

from elnudge import ids


def test_a_batch_of_ids_is_valid_distinct_and_increasing() -> None:
    made = ids.new_ids(ids.EVENT, 500)
    assert made == sorted(made) and len(set(made)) == 500
    for value in made:
        assert ids.is_valid_id(value, ids.EVENT)
        assert str(ULID.from_str(value.removeprefix(ids.EVENT))) == value.removeprefix(ids.EVENT)


def test_ids_of_one_millisecond_count_up_across_calls() -> None:
    first = ids.new_ids(ids.SESSION, 2, at_ms=1_776_683_368_136)
    second = ids.new_id(ids.SESSION, at_ms=1_776_683_368_136)
    values = [int(ULID.from_str(value[5:])) for value in [*first, second]]
    assert values == [values[0], values[0] + 1, values[0] + 2]


@given(at_ms=st.integers(0, 2**48 - 1))
def test_the_time_part_is_the_given_millisecond(at_ms: int) -> None:
    value = ids.new_id(ids.SESSION, at_ms=at_ms)
    assert ids.is_valid_id(value, ids.SESSION)
    assert ULID.from_str(value.removeprefix(ids.SESSION)).milliseconds == at_ms
