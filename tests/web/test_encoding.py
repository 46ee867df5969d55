"""Which content coding an `Accept-Encoding` header asks for, and the files' own codings."""

from __future__ import annotations

import pytest

from elnudge.web.assets import Asset
from elnudge.web.encoding import BEST_QUALITY_UP_TO, compress_static, preferred_coding
from tests.http_raw import decode


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        (None, "identity"),
        ("", "identity"),
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("BR", "br"),
        ("br;q=0, gzip;q=0.5", "gzip"),
        ("br;q=0, gzip;q=0", "identity"),
        ("*", "br"),
        ("*;q=0, gzip", "gzip"),
        ("gzip;q=nonsense, br;q=0", "identity"),
        ("deflate", "identity"),
        (" , ;q=1", "identity"),
    ],
)
def test_preferred_coding(header: str | None, coding: str) -> None:
    assert preferred_coding(header) == coding


def test_large_files_are_compressed_at_a_faster_level_and_still_decode() -> None:
    body = bytes(range(256)) * (BEST_QUALITY_UP_TO // 256 + 1)
    for coding in ("br", "gzip"):
        assert decode(compress_static(body, coding), coding) == body
    assert compress_static(body, "identity") is body


def test_the_versioned_name_follows_the_content() -> None:
    first, second = Asset("shop.css", b"a{}"), Asset("shop.css", b"b{}")
    assert first.versioned_name == f"shop.{first.digest}.css"
    assert first.versioned_name != second.versioned_name
    assert Asset("shop.css", b"a{}").versioned_name == first.versioned_name


def test_an_image_is_never_compressed_again() -> None:
    png = Asset("logo.png", b"\x89PNG" + bytes(2000))
    assert not png.compressible and png.media_type == "image/png"
    assert png.encoded("br") is png.body
