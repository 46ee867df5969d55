"""The API's hottest routes, answered below the framework.

`GET /v1/sessions` and `GET /v1/sessions/{id}` are the API's most frequent reads. Before
this layer, a sixth to nearly a third of their CPU went to Starlette's router (a regular expression
per route, in order) and FastAPI's request handling (dependencies solved, a handler wrapped
per request) around endpoints that use none of it (bench/RESULTS.md, "Hot routes below the
framework"). This pure ASGI layer calls the same endpoint functions directly.

Nothing about the answers changes, and nothing is written twice:
- the endpoints are the router's own functions; the router keeps their routes, so the OpenAPI
  document and every other method or path are served exactly as before;
- a path is taken here only when the router would pick the same route: the exact path of a
  list, or the list's path, a slash and one non-empty segment (`[^/]+`, Starlette's `{param}`);
- an `ApiError` becomes the same response as the app's handler renders
  (web/errors.py); anything else propagates to the same last-resort handler.

It sits innermost among the app's middlewares (inside HEAD, request ids and compression), so
those still apply to every answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

# The router's own reading of a path (root_path taken off): the layer and the router must agree.
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from elnudge.errors import ApiError
from elnudge.web.errors import render

ListEndpoint = Callable[[Request], Awaitable[Response]]
ItemEndpoint = Callable[[Request, str], Awaitable[Response]]


class HotRoutes:
    """GET `path` → `list_endpoint(request)`; GET `path/{id}` → `item_endpoint(request, id)`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str,
        list_endpoint: ListEndpoint,
        item_endpoint: ItemEndpoint,
    ) -> None:
        self.app = app
        self.path = path
        self.item_prefix = path + "/"
        self.list_endpoint = list_endpoint
        self.item_endpoint = item_endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        route_path = get_route_path(scope)
        if route_path == self.path:
            answer = self._answer(scope, receive, self.list_endpoint)
        elif route_path.startswith(self.item_prefix) and _one_segment(
            item_id := route_path[len(self.item_prefix) :]
        ):
            answer = self._answer(scope, receive, self.item_endpoint, item_id)
        else:
            await self.app(scope, receive, send)
            return
        response = await answer
        await response(scope, receive, send)

    @staticmethod
    async def _answer(
        scope: Scope, receive: Receive, endpoint: Callable[..., Awaitable[Response]], *args: str
    ) -> Response:
        request = Request(scope, receive)
        try:
            return await endpoint(request, *args)
        except ApiError as error:
            return render(request, error)


def _one_segment(rest: str) -> bool:
    return bool(rest) and "/" not in rest
