"""What the client raises: one class per kind of failure, all under `ElNudgeError`.

An error the server answered carries the HTTP `status`, the API's `code` (`InvalidRequest`, …),
its `message`, the `param` at fault (when one is) and the `request_id` to quote in a bug report.
The class is chosen by status, so a code the client does not know yet still lands in the right
place (`APIError` for anything unlisted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ElNudgeError(Exception):
    """The base of everything the client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIError(ElNudgeError):
    """The server answered with an error (`status` 4xx or 5xx)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.param = param
        self.request_id = request_id
        self.body = body

    def __str__(self) -> str:
        where = f" (param: {self.param})" if self.param else ""
        request = f" [request {self.request_id}]" if self.request_id else ""
        return f"{self.status} {self.code or 'error'}: {self.message}{where}{request}"


class InvalidRequestError(APIError):
    """400: a bad parameter or body; `param` names it (e.g. `events[3].data.price`)."""


class AuthenticationError(APIError):
    """401: the key is missing, malformed, unknown, revoked, expired or a public `pk_` key."""


class PermissionDeniedError(APIError):
    """403: not allowed (the relay's origin allow-list)."""


class NotFoundError(APIError):
    """404: no such object for this key's site and mode, or outside the plan's API window."""


class PayloadTooLargeError(APIError):
    """413: the request body is over the server's limit (1 MiB by default)."""


class RateLimitError(APIError):
    """429, after the retries ran out: `retry_after` is the server's `Retry-After`, in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx, after the retries ran out."""


class APIConnectionError(ElNudgeError):
    """No answer: the connection failed or broke, after the retries ran out."""


class APITimeoutError(APIConnectionError):
    """No answer within the client's timeout, after the retries ran out."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    429: RateLimitError,
}


def error_for(
    status: int, body: Any, headers: Mapping[str, str], retry_after: float | None
) -> APIError:
    """The exception for an error response, from its status, body and `Request-Id` header."""
    fields: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    message = fields.get("message")
    if not isinstance(message, str):
        message = f"The server answered {status} without an error body."
    details: dict[str, Any] = {
        "status": status,
        "code": _text(fields.get("error")),
        "param": _text(fields.get("param")),
        "request_id": _text(fields.get("request_id")) or headers.get("request-id"),
        "body": body,
    }
    if status == 429:
        return RateLimitError(message, retry_after=retry_after, **details)
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else APIError)
    return kind(message, **details)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
