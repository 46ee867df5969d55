"""The API's error hierarchy (docs/api.md, "Errors"). Each error carries its status and code."""

from __future__ import annotations


class ApiError(Exception):
    """Base class: rendered by one handler as `{"error", "message", "param"?, "request_id"}`."""

    status = 500
    code = "InternalError"

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class InvalidRequest(ApiError):
    status = 400
    code = "InvalidRequest"


class Unauthorized(ApiError):
    status = 401
    code = "Unauthorized"
    # One message for every way of failing, so nothing can be learned from it.
    MESSAGE = "Invalid API key provided. Use 'Authorization: Bearer sk_live_…' or 'sk_test_…'."

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class Forbidden(ApiError):
    status = 403
    code = "Forbidden"


class NotFound(ApiError):
    status = 404
    code = "NotFound"


class MethodNotAllowed(ApiError):
    status = 405
    code = "MethodNotAllowed"


class PayloadTooLarge(ApiError):
    status = 413
    code = "PayloadTooLarge"


class RateLimitExceeded(ApiError):
    status = 429
    code = "RateLimitExceeded"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests. Retry after {retry_after} seconds.")
        self.retry_after = retry_after


class InternalError(ApiError):
    status = 500
    code = "InternalError"
