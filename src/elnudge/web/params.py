"""Query-string rules shared by list endpoints."""

from __future__ import annotations

from collections.abc import Collection

from fastapi import Request

from elnudge.errors import InvalidRequest


def reject_unknown_params(request: Request, allowed: Collection[str]) -> None:
    """A misspelt parameter is an error, not silently ignored (`?limt=10` would surprise)."""
    for name in request.query_params:
        if name not in allowed:
            raise InvalidRequest(f"Unknown parameter {name!r}.", param=name)
    for name in allowed:
        if len(request.query_params.getlist(name)) > 1:
            raise InvalidRequest(f"Parameter {name!r} is given more than once.", param=name)
