"""JSON responses serialised with orjson.

A subclass of Starlette's JSONResponse, so FastAPI documents a route's `response_model` as the
body of its 200 response (for any other response class it documents a plain string).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse as StarletteJSONResponse


class JSONResponse(StarletteJSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
