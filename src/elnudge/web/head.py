"""`HEAD` on every `GET` route, mounted apps included: the GET answer's status and headers
(`Content-Length` and `Content-Encoding` too), without its body (RFC 9110 §9.3.2).

FastAPI's routes accept only the methods they name; adding HEAD to each would also add a HEAD
operation per route to the OpenAPI document. One pure ASGI layer serves them all instead.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        # A copy: the server keeps its own scope, where the method is still HEAD.
        as_get = {**scope, "method": "GET"}

        async def without_body(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body"):
                await send({"type": "http.response.body", "body": b""})

        await self.app(as_get, receive, without_body)
