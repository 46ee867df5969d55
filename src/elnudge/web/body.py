"""Reading JSON request bodies under a size cap, without reading an oversized body whole."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request

from elnudge.errors import InvalidRequest, PayloadTooLarge


async def read_json(request: Request, max_bytes: int) -> Any:
    """The parsed body; 413 as soon as it is known to exceed `max_bytes`, 400 if not JSON."""
    too_large = PayloadTooLarge(f"The request body exceeds {max_bytes} bytes.")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    try:
        return orjson.loads(b"".join(chunks))
    except orjson.JSONDecodeError as error:
        raise InvalidRequest("The request body is not valid JSON.", param="body") from error
