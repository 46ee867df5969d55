"""What every command needs: settings, the database, the clock, and how to print."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import typer
from rich.console import Console

from elnudge.clock import SystemClock
from elnudge.config import Settings
from elnudge.db import Database, create_database
from elnudge.db.migrate import upgrade
from elnudge.errors import ApiError

console = Console()
errors = Console(stderr=True)
clock = SystemClock()


@contextmanager
def database(settings: Settings | None = None) -> Iterator[Database]:
    """The configured database, migrated to the newest schema; ApiErrors exit with code 1."""
    db = create_database((settings or Settings()).database_url)
    try:
        upgrade(db)
        yield db
    except ApiError as error:
        errors.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from error
    finally:
        db.dispose()


def print_json(value: dict[str, Any]) -> None:
    """One JSON object on stdout, for scripts (`--json`)."""
    sys.stdout.write(orjson.dumps(value).decode() + "\n")
