"""The app as each uvicorn worker builds it (`elnudge.server:app_from_environment`, a factory)."""

from __future__ import annotations

from fastapi import FastAPI

from elnudge.app import create_app
from elnudge.config import Settings

# Pass to uvicorn as `http=` (or `--http`): its protocol with TCP_NODELAY (see web/protocol.py).
HTTP_PROTOCOL = "elnudge.web.protocol:NoDelayProtocol"


def app_from_environment() -> FastAPI:
    """The app configured by ELNUDGE_* environment variables, with its webhook worker."""
    return create_app(Settings(), background=True)
