"""The key format: prefix, randomness, checksum."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elnudge.ids import BASE62
from elnudge.keys.tokens import generate_key, hash_key, parse_key
from elnudge.vocabulary import KeyKind, Mode


def test_generated_keys_parse_back() -> None:
    for kind in KeyKind:
        for mode in Mode:
            key = generate_key(kind, mode)
            parsed = parse_key(key)
            assert parsed is not None and (parsed.kind, parsed.mode) == (kind, mode)
            assert key.startswith(("sk_" if kind == KeyKind.SECRET else "pk_") + mode + "_")


@pytest.mark.parametrize(("kind", "mode"), [("secrit", "live"), ("public", "prod"), ("", "")])
def test_a_key_is_only_made_of_a_known_kind_and_mode(kind: str, mode: str) -> None:
    with pytest.raises(ValueError):
        generate_key(kind, mode)  # type: ignore[arg-type]


def test_keys_are_unique_and_hashes_are_not_the_key() -> None:
    keys = {generate_key(KeyKind.SECRET, Mode.LIVE) for _ in range(200)}
    assert len(keys) == 200
    key = keys.pop()
    assert hash_key(key) != key and len(hash_key(key)) == 64


@given(position=st.integers(8, 45), replacement=st.sampled_from(BASE62))
def test_any_single_character_typo_is_caught_by_the_checksum_or_shape(
    position: int, replacement: str
) -> None:
    original = generate_key(KeyKind.SECRET, Mode.LIVE)
    typo = original[:position] + replacement + original[position + 1 :]
    assert (parse_key(typo) is not None) == (typo == original)
