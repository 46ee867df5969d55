"""What the data commands share: the API's address and key, the client, and errors.

These commands (`elnudge sessions`, `elnudge export`) work against any elNudge server through
the API, so they never import the server's code: `elnudge.cli.main` dispatches to them before
loading the rest of the command (see `elnudge.cli.main`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from elnudge.client import APIConnectionError, APIError, Client
from elnudge.client.requester import DEFAULT_BASE_URL

errors = Console(stderr=True)

ApiUrl = Annotated[
    str,
    typer.Option(
        "--api-url",
        envvar="ELNUDGE_API_URL",
        help="The elNudge server's base URL.",
        show_envvar=True,
    ),
]
ApiKey = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="ELNUDGE_API_KEY",
        help="A secret key (sk_live_… or sk_test_…); prefer the environment variable.",
        show_default=False,
        show_envvar=True,
    ),
]
DEFAULT_API_URL = DEFAULT_BASE_URL


@contextmanager
def api_client(api_url: str, api_key: str | None) -> Iterator[Client]:
    """A client of the server; API and connection errors exit with code 1 and a message."""
    if not api_key:
        fail("no API key: set ELNUDGE_API_KEY or pass --api-key.", code=2)
    try:
        with Client(api_key, base_url=api_url) as client:
            yield client
    except APIError as error:
        fail(describe(error))
    except APIConnectionError as error:
        fail(f"{error.message} ({api_url})")


def describe(error: APIError) -> str:
    """The server's message, the parameter at fault and the request id to quote."""
    where = f" (param: {error.param})" if error.param else ""
    request = f" [request {error.request_id}]" if error.request_id else ""
    return f"{error.status} {error.message}{where}{request}"


def fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
