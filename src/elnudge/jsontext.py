"""JSON in and out of the database and request bodies: orjson, with the standard library for the
valid JSON orjson refuses (integers beyond 64 bits). NaN, Infinity and lone surrogates, which are
not JSON, are refused by both paths."""

from __future__ import annotations

import json
from typing import Any

import orjson


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(text: bytes | str) -> Any:
    """The value of a JSON document; ValueError when it is not valid JSON text."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        value = json.loads(text, parse_constant=_no_constants)
        dumps(value)  # raises on lone surrogates, which cannot be stored or sent back
        return value


def dumps(value: Any) -> str:
    """Compact JSON text of `value`."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        text.encode()  # UnicodeEncodeError (a ValueError) on lone surrogates
        return text
