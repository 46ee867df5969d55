"""The running app's Runtime, from a request."""

from __future__ import annotations

from fastapi import Request

from elnudge.runtime import Runtime


def runtime_of(request: Request) -> Runtime:
    """The running app's Runtime (set by `create_app`)."""
    runtime: Runtime = request.app.state.runtime
    return runtime
