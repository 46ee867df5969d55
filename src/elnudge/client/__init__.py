"""The Python client of the elNudge API: `Client` (sync) and `AsyncClient`, on httpx.

    from elnudge import Client
    with Client("sk_live_…", base_url="http://127.0.0.1:8000") as client:
        for session in client.sessions.list(from_="2026-04-01").auto_paging_iter():
            print(session.id, session.intent_score, session.converted)

This package never imports the server (FastAPI, SQLAlchemy): it works against any elNudge
server, and `import elnudge.client` stays light (a test holds it to that).
"""

from elnudge.client.clients import AsyncClient, Client
from elnudge.client.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ElNudgeError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from elnudge.client.models import (
    IngestResult,
    Nudge,
    NudgeOffer,
    NudgePreview,
    Session,
    SessionDetail,
    SessionEvent,
    SessionNudge,
    VisitorDeletion,
)
from elnudge.client.nudge_report import (
    Conversions,
    Experiment,
    NudgeReport,
    NudgeTypeStats,
    SampleRatioCheck,
)
from elnudge.client.pages import AsyncPage, Page
from elnudge.client.retries import RetryPolicy

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncPage",
    "AuthenticationError",
    "Client",
    "Conversions",
    "ElNudgeError",
    "Experiment",
    "IngestResult",
    "InvalidRequestError",
    "NotFoundError",
    "Nudge",
    "NudgeOffer",
    "NudgePreview",
    "NudgeReport",
    "NudgeTypeStats",
    "Page",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "SampleRatioCheck",
    "ServerError",
    "Session",
    "SessionDetail",
    "SessionEvent",
    "SessionNudge",
    "VisitorDeletion",
]
