"""OpenAPI pieces shared by every route: documented error responses and headers."""

from __future__ import annotations

from typing import Any

from elnudge.web.errors import ErrorBody

_REQUEST_ID = {"description": "Unique id of this request (`req_…`).", "schema": {"type": "string"}}
_RETRY_AFTER = {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
_DESCRIPTIONS = {
    400: "Invalid request: a parameter or the body is wrong; `param` names it.",
    401: "Missing, malformed, unknown, revoked or expired API key.",
    404: "No such object (unknown, another site's or mode's, or outside the plan's window).",
    413: "The request body is larger than 1 MiB.",
    429: "Too many requests for this key; retry after `Retry-After` seconds.",
    500: "Internal error.",
}
REQUEST_ID_HEADER = {"Request-Id": _REQUEST_ID}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry of a route for these error statuses (500 is always added)."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in (*statuses, 500):
        headers: dict[str, Any] = dict(REQUEST_ID_HEADER)
        if status == 429:
            headers["Retry-After"] = _RETRY_AFTER
        responses[status] = {
            "model": ErrorBody,
            "description": _DESCRIPTIONS[status],
            "headers": headers,
        }
    return responses
