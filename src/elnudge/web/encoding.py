"""Content codings: which one a client accepts (RFC 9110 §12.5.3), and compressing into it.

Brotli is preferred over gzip when a client accepts both (it is smaller: 9.5 KB against 11 KB
for sdk.js, see bench/RESULTS.md); `identity` is what is left when neither is acceptable.
"""

from __future__ import annotations

import gzip
from typing import Literal

import brotli

Coding = Literal["br", "gzip", "identity"]
PREFERENCE: tuple[Coding, ...] = ("br", "gzip")
# Files are compressed once, so they get the best ratio; brotli's quality 11 costs 17 s on
# Swagger UI's 1.5 MB bundle, so files above this size take quality 5 (0.6 s, 12% larger).
BEST_QUALITY_UP_TO = 256 * 1024
STATIC_GZIP_LEVEL = 9
# Per-request answers (JSON) take the cheapest levels that still compress well: on a page of
# 200 sessions (36 KB) brotli 2 gives 4.1 KB in 0.17 ms where brotli 4 takes 0.31 ms for the
# same size, and gzip 1 gives 5.1 KB in 0.15 ms against 4.8 KB in 0.34 ms at gzip 5
# (bench/RESULTS.md, "Compression").
DYNAMIC_GZIP_LEVEL = 1
DYNAMIC_BROTLI_QUALITY = 2


def _weights(header: str) -> dict[str, float]:
    """`gzip;q=0.5, br` → {"gzip": 0.5, "br": 1.0}; a malformed q counts as 0."""
    weights: dict[str, float] = {}
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        weight = 1.0
        param = params.strip()
        if param.lower().startswith("q="):
            try:
                weight = float(param[2:])
            except ValueError:
                weight = 0.0
        if name.strip():
            weights[name.strip().lower()] = weight
    return weights


def preferred_coding(accept_encoding: str | None) -> Coding:
    """The coding to answer with: br, then gzip, among those the client accepts (q > 0)."""
    if not accept_encoding:
        return "identity"
    weights = _weights(accept_encoding)
    for coding in PREFERENCE:
        if weights.get(coding, weights.get("*", 0.0)) > 0:
            return coding
    return "identity"


def compress_static(body: bytes, coding: Coding) -> bytes:
    """A file's body in `coding`, at the best level its size allows (done once per file)."""
    if coding == "br":
        quality = 11 if len(body) <= BEST_QUALITY_UP_TO else 5
        return bytes(brotli.compress(body, quality=quality))
    if coding == "gzip":
        return gzip.compress(body, compresslevel=STATIC_GZIP_LEVEL, mtime=0)
    return body


def compress_dynamic(body: bytes, coding: Coding) -> bytes:
    """An answer's body in `coding`, at a level cheap enough for every request."""
    if coding == "br":
        return bytes(brotli.compress(body, quality=DYNAMIC_BROTLI_QUALITY))
    if coding == "gzip":
        return gzip.compress(body, compresslevel=DYNAMIC_GZIP_LEVEL, mtime=0)
    return body
