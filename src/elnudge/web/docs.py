"""OpenAPI pieces shared by every route: documented error responses and headers."""

from __future__ import annotations

from typing import Any

from elnudge.config import Settings
from elnudge.web.errors import ErrorBody

_REQUEST_ID = {"description": "Unique id of this request (`req_…`).", "schema": {"type": "string"}}
_RETRY_AFTER = {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
_DESCRIPTIONS = {
    400: "Invalid request: a parameter or the body is wrong; `param` names it.",
    401: "Missing, malformed, unknown, revoked or expired API key.",
    404: "No such object (unknown, another site's or mode's, or outside the plan's window).",
    413: "The request body is larger than {max_body}.",
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


def setting_texts(settings: Settings) -> dict[str, str]:
    """How the document names each setting it mentions, as `{name}` in descriptions."""
    return {
        "{max_body}": describe_bytes(settings.max_body_bytes),
        "{max_batch_events}": f"{settings.max_batch_events:,}",
        "{relay_rate_limit}": f"{settings.relay_rate_limit_per_minute:,}",
        "{relay_client_rate_limit}": f"{settings.relay_client_rate_limit_per_minute:,}",
        "{chat_max_message_chars}": f"{settings.chat_max_message_chars:,}",
        "{chat_session_rate_limit}": f"{settings.chat_session_rate_limit_per_minute:,}",
        "{chat_client_rate_limit}": f"{settings.chat_client_rate_limit_per_minute:,}",
    }


def describe_bytes(size: int) -> str:
    """`1 MiB`, `512 KiB`, `1500 bytes`: a size for people."""
    for unit, factor in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def _fill(value: Any, texts: dict[str, str]) -> Any:
    """Every `{setting}` in the document's descriptions replaced by its value."""
    if isinstance(value, dict):
        return {key: _fill(item, texts) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, texts) for item in value]
    if isinstance(value, str) and "{" in value:
        for token, text in texts.items():
            value = value.replace(token, text)
    return value


def finish_document(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """What FastAPI cannot say on its own: the bearer key scheme on every route that answers
    401 (unless the route declares its own `security`), no 422 (validation errors are rendered
    as our 400), and the settings' values where descriptions name them."""
    schema.update(_fill(schema, setting_texts(settings)))
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
