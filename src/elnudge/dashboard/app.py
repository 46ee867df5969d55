"""create_dashboard(runtime): the dashboard as an application of its own, mounted at
/dashboard by the API's create_app. Its own app so that its errors are pages, not JSON, and so
that none of its routes enter the API's OpenAPI document."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from elnudge.dashboard import (
    home,
    knowledge_page,
    nudges_page,
    overview_page,
    session_page,
    sessions_page,
    settings_page,
    signin,
)
from elnudge.dashboard.failures import install_page_errors
from elnudge.dashboard.security import SecurityHeadersMiddleware
from elnudge.runtime import Runtime

STATIC = Path(__file__).parent / "static"


def create_dashboard(runtime: Runtime) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, redirect_slashes=False)
    app.state.runtime = runtime
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for page in (
        signin,
        home,
        overview_page,
        sessions_page,
        session_page,
        nudges_page,
        knowledge_page,
        settings_page,
    ):
        app.include_router(page.router)
    install_page_errors(app)
    return app
