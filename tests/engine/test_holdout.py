"""The holdout: stable buckets from SHA-256, held out strictly below percent / 100."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elnudge.engine import bucket_held_out, holdout_bucket, is_held_out, visitor_key

SITE = "site_demo"
KEYS = [f"visitor-{i}" for i in range(20_000)]


def test_a_known_bucket_never_changes() -> None:
    # Recorded once: a change here would move live visitors between the arms.
    assert holdout_bucket("site_01KQ0000000000000000000000", "cust_42") == 0.1523676719198822


def test_buckets_do_not_depend_on_the_process() -> None:
    code = "from elnudge.engine import holdout_bucket; print(repr(holdout_bucket('s', 'v')))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("0", "1", "12345")
    }
    assert outputs == {repr(holdout_bucket("s", "v"))}


@given(site=st.text(max_size=30), key=st.text(max_size=60))
def test_buckets_lie_in_the_unit_interval(site: str, key: str) -> None:
    bucket = holdout_bucket(site, key)
    assert 0 <= bucket < 1
    assert bucket * 2**53 == math.floor(bucket * 2**53)  # a whole number of 2**-53 steps


def test_the_site_takes_part_in_the_bucket() -> None:
    assert holdout_bucket("site_a", "v1") != holdout_bucket("site_b", "v1")


def test_the_boundary_itself_is_not_held_out() -> None:
    assert not bucket_held_out(0.5, 50)
    assert bucket_held_out(math.nextafter(0.5, 0), 50)
    assert not bucket_held_out(0.25, 25)
    assert bucket_held_out(math.nextafter(0.25, 0), 25)
    assert not bucket_held_out(0.0, 0)  # 0% holds nobody out, not even bucket 0


def test_real_keys_either_side_of_ten_percent() -> None:
    buckets = sorted((holdout_bucket(SITE, key), key) for key in KEYS)
    below = max(item for item in buckets if item[0] < 0.1)
    above = min(item for item in buckets if item[0] >= 0.1)
    assert above[0] - below[0] < 1e-4  # the two closest keys either side
    assert is_held_out(SITE, below[1], 10)
    assert not is_held_out(SITE, above[1], 10)
    assert not is_held_out(SITE, below[1], 9)
    assert is_held_out(SITE, above[1], 11)


@pytest.mark.parametrize("percent", [0, 10, 50])
def test_the_share_held_out_is_close_to_the_percent(percent: int) -> None:
    share = sum(is_held_out(SITE, key, percent) for key in KEYS) / len(KEYS)
    assert abs(share - percent / 100) < 0.01  # binomial sd at 50% and 20,000 keys: 0.0035


def test_the_visitor_id_comes_before_the_session_key() -> None:
    assert visitor_key("cust_42", "ses_abc") == "cust_42"
    assert visitor_key(None, "ses_abc") == "ses_abc"
    assert visitor_key("", "ses_abc") == "ses_abc"
