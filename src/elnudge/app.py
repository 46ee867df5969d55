"""create_app(settings): the FastAPI application. Nothing happens at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from starlette.responses import RedirectResponse

from elnudge import __version__
from elnudge.config import Settings
from elnudge.conversations import endpoints as conversation_routes
from elnudge.conversations import relay_endpoints as chat_relay_routes
from elnudge.conversations.llm import load_llm_client
from elnudge.conversations.schemas import (
    ChatStreamLine,
    MerchantMessage,
    TranscriptRequest,
    shopper_message_model,
)
from elnudge.dashboard import create_dashboard
from elnudge.events import endpoints as event_routes
from elnudge.events.schemas import event_batch_model
from elnudge.nudges import endpoints as nudge_routes
from elnudge.nudges.schemas import preview_request_model
from elnudge.privacy import endpoints as visitor_routes
from elnudge.relay import endpoints as relay_routes
from elnudge.relay.schemas import RelayResponse, relay_batch_model
from elnudge.reports import endpoints as report_routes
from elnudge.runtime import Runtime, build_runtime
from elnudge.sdk import router as sdk_router
from elnudge.sdk import sdk_asset
from elnudge.sessions import endpoints as session_routes
from elnudge.storefront import ShopConfig, create_storefront
from elnudge.web.apidocs import docs_router
from elnudge.web.compression import CompressionMiddleware
from elnudge.web.docs import REQUEST_ID_HEADER, finish_document
from elnudge.web.errors import install_error_handlers
from elnudge.web.head import HeadMiddleware
from elnudge.web.hot_routes import HotRoutes
from elnudge.web.request_id import RequestIdMiddleware
from elnudge.web.responses import JSONResponse
from elnudge.webhooks.worker import worker_thread

DESCRIPTION = """Sessions, intent scores and nudges of your store.

Authenticate with `Authorization: Bearer sk_live_…` (or `sk_test_…`): the key's site and mode
scope every request. Errors are `{"error", "message", "param", "request_id"}`."""


class HealthStatus(BaseModel):
    status: Literal["ok"]


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    background: bool = False,
) -> FastAPI:
    """The API. Pass a prepared `runtime` (tests do, with a frozen clock). `background`: also
    run the webhook worker while the app runs, when `ELNUDGE_WEBHOOKS_WORKER` is on (the
    server does; an app built for a test does not)."""
    runtime = runtime or build_runtime(settings or Settings())
    sdk_asset()  # sdk.js read and compressed now (once per process), never on a request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime.settings.migrate_on_start:
            # Imported here: alembic is 10 MB that a worker of `elnudge serve` (whose parent
            # migrated once) never needs.
            from elnudge.db.migrate import upgrade

            upgrade(runtime.database)
        if runtime.settings.llm_base_url:
            load_llm_client()  # on start, not in a shopper's first wait
        if not (background and runtime.settings.webhooks_worker):
            yield
            return
        with worker_thread(runtime):
            yield

    app = FastAPI(
        title="elNudge API",
        version=__version__,
        description=DESCRIPTION,
        default_response_class=JSONResponse,
        lifespan=lifespan,
        # No redirects to the slashed URL: Starlette would build their Location from the Host
        # header. `/v1/sessions/` is simply a 404 in the API's format.
        redirect_slashes=False,
        # FastAPI's native OpenTelemetry is off: elNudge exports no traces or metrics, and its
        # per-request check for a configured provider cost 5 us (docs/api.md, "Files and HTTP").
        telemetry={"tracing": False, "metrics": False, "logs": False},
        # Served by docs_router from elNudge's own files, never from a CDN (web/apidocs.py).
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.runtime = runtime
    # Innermost: the Sessions API's two GETs skip the router (web/hot_routes.py).
    app.add_middleware(
        HotRoutes,
        path=session_routes.router.prefix,
        list_endpoint=session_routes.list_sessions,
        item_endpoint=session_routes.get_session,
    )
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(HeadMiddleware)  # outermost: every layer below sees a GET
    install_error_handlers(app)
    app.include_router(session_routes.router)
    app.include_router(event_routes.router)
    app.include_router(relay_routes.router)
    app.include_router(nudge_routes.router)
    app.include_router(report_routes.router)
    app.include_router(visitor_routes.router)
    app.include_router(conversation_routes.router)
    app.include_router(chat_relay_routes.router)
    app.include_router(sdk_router)
    app.include_router(docs_router(app))
    app.mount("/dashboard", create_dashboard(runtime))
    app.add_route("/dashboard", _to_dashboard, include_in_schema=False)
    if runtime.settings.shop_site_key:  # the demo shop, only when asked for
        app.mount("/shop", create_storefront(ShopConfig(site_key=runtime.settings.shop_site_key)))
        app.add_route("/shop", _to_shop, include_in_schema=False)

    @app.get(
        "/healthz",
        tags=["Health"],
        summary="Liveness check (no authentication)",
        response_model=HealthStatus,
        responses={200: {"headers": REQUEST_ID_HEADER}},
    )
    async def healthz() -> JSONResponse:  # async: a plain def would cost a thread pool hop
        return JSONResponse({"status": "ok"})

    app.openapi = lambda: _openapi(app, runtime.settings)  # type: ignore[method-assign]
    return app


async def _to_shop(request: Request) -> RedirectResponse:
    """`/shop` → `/shop/`, with a relative Location (never one built from the Host header)."""
    return RedirectResponse("/shop/")


async def _to_dashboard(request: Request) -> RedirectResponse:
    """`/dashboard` → `/dashboard/` (relative Location, like the shop's)."""
    return RedirectResponse("/dashboard/")


def _openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    """FastAPI's document, plus the models of bodies we validate by hand, and the settings'
    values wherever the document names them."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    models = (
        event_batch_model(settings),
        relay_batch_model(settings),
        RelayResponse,
        preview_request_model(settings),
        shopper_message_model(settings),
        TranscriptRequest,
        MerchantMessage,
        ChatStreamLine,
    )
    for model in models:
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
    app.openapi_schema = finish_document(schema, settings)
    return schema
