"""Which routes the app on this branch has, read from its own OpenAPI document: tests of
endpoints that are still being built skip until their route appears, and run from then on."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from elnudge.app import create_app
from elnudge.config import Settings

NOT_ON_THIS_BRANCH = "endpoint not on this branch"


@cache
def api_paths() -> dict[str, Any]:
    # The document needs no database: the engine is created lazily and never connects.
    never_opened = Path(tempfile.gettempdir()) / "elnudge-openapi-only" / "unused.db"
    settings = Settings(database_url=f"sqlite:///{never_opened}", migrate_on_start=False)
    paths: dict[str, Any] = create_app(settings).openapi()["paths"]
    return paths


def has_route(method: str, path: str) -> bool:
    return method.lower() in api_paths().get(path, {})


def needs_route(method: str, path: str) -> pytest.MarkDecorator:
    """Skip while `method path` is missing from the app's OpenAPI document."""
    return pytest.mark.skipif(not has_route(method, path), reason=NOT_ON_THIS_BRANCH)
