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


SECURITY_SCHEME = "SecretKey"


def finish_document(schema: dict[str, Any]) -> dict[str, Any]:
    """What FastAPI cannot say on its own: the bearer key scheme on every route that answers
    401 (unless the route declares its own `security`), and no 422 (validation errors are
    rendered as our 400)."""
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A secret key: `sk_live_…` or `sk_test_…`.",
    }
    for name in ("HTTPValidationError", "ValidationError"):
        components.get("schemas", {}).pop(name, None)
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            operation["responses"].pop("422", None)
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _without_null(parameter["schema"])
            if "security" not in operation:  # a route may say it itself (the relay: none)
                secured = "401" in operation["responses"]
                operation["security"] = [{SECURITY_SCHEME: []}] if secured else []
    return schema


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`str | None` parameters are simply optional: a query string cannot carry a null."""
    options = schema.get("anyOf")
    if not options:
        return schema
    kept = [option for option in options if option.get("type") != "null"]
    if len(kept) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**kept[0], **rest}
