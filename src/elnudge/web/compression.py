"""Large JSON and HTML answers compressed when the client asks (`Accept-Encoding`), small ones
left alone: under `MIN_BYTES` the bytes saved do not pay for the time spent (bench/RESULTS.md,
"Compression": a 200-session page is 60 KB of JSON, a session 0.5 KB).

Pure ASGI, and only for answers sent in one piece whose type is JSON or HTML and that have no
`Content-Encoding` yet: files (web/assets.py) come precompressed and are never compressed twice.
Every answer of those types says `Vary: Accept-Encoding`, since its bytes depend on the header.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from elnudge.web.encoding import Coding, compress_dynamic, preferred_coding

MIN_BYTES = 1400  # about one TCP segment: below it compression saves no round trip
_TYPES = ("application/json", "text/html")


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, *, min_bytes: int = MIN_BYTES) -> None:
        self.app = app
        self.min_bytes = min_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        coding = preferred_coding(Headers(scope=scope).get("accept-encoding"))
        start: Message | None = None

        async def compressing(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if _eligible(message):
                    start = message  # held until the body shows whether it is worth it
                    MutableHeaders(scope=message).add_vary_header("Accept-Encoding")
                    return
            elif message["type"] == "http.response.body" and start is not None:
                held, start = start, None
                await self._finish(held, message, coding, send)
                return
            await send(message)

        await self.app(scope, receive, compressing)

    async def _finish(self, start: Message, body: Message, coding: Coding, send: Send) -> None:
        content = body.get("body", b"")
        if coding != "identity" and not body.get("more_body") and len(content) >= self.min_bytes:
            content = compress_dynamic(content, coding)
            headers = MutableHeaders(scope=start)
            headers["Content-Encoding"] = coding
            headers["Content-Length"] = str(len(content))
            body = {**body, "body": content}
        await send(start)
        await send(body)


def _eligible(start: Message) -> bool:
    """A JSON or HTML answer that is not encoded yet (a 304 or a HEAD has no body to gain)."""
    headers = Headers(raw=start["headers"])
    if "content-encoding" in headers or start["status"] in (204, 304):
        return False
    return headers.get("content-type", "").startswith(_TYPES)
