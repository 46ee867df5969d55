"""The `elnudge` command.

`main()` sends the data commands (`sessions`, `export`), which work through the API, to a
small app of their own, so that they never import the server (FastAPI, SQLAlchemy, uvicorn);
every other command loads the full app in `elnudge.cli.main`, which lists them all.
"""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    from elnudge.cli import data

    if len(sys.argv) > 1 and sys.argv[1] in data.COMMANDS:
        data.app()
    else:
        from elnudge.cli.main import app

        app()


def __getattr__(name: str) -> Any:
    if name == "app":  # `from elnudge.cli import app`: the full command
        from elnudge.cli.main import app

        return app
    raise AttributeError(f"module 'elnudge.cli' has no attribute {name!r}")


__all__ = ["app", "main"]
