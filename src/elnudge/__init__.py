"""elNudge: a self-hostable conversion engine for online stores.

`elnudge.Client`, `elnudge.AsyncClient` and the client's error classes are loaded on first
use (PEP 562), so `import elnudge` stays light for the server and the client alike.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "Client",
    "ElNudgeError",
    "InvalidRequestError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "__version__",
]
# Everything but the version comes from elnudge.client, imported when first asked for.
_CLIENT_NAMES = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:
    from elnudge.client import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AsyncClient,
        AuthenticationError,
        Client,
        ElNudgeError,
        InvalidRequestError,
        NotFoundError,
        PayloadTooLargeError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
    )


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        return getattr(import_module("elnudge.client"), name)
    raise AttributeError(f"module 'elnudge' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_CLIENT_NAMES})
