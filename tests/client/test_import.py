"""The client's import stays light and never pulls in the server; so do the data commands."""

from __future__ import annotations

import subprocess
import sys

import elnudge
import elnudge.client

# The server's dependencies: none may load with the client or the data commands.
SERVER_MODULES = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "psycopg")
# pydantic is not even loaded by the client (its models are dataclasses); Typer itself uses
# it to coerce parameters, so the commands do load it.
CLIENT_FORBIDDEN = (*SERVER_MODULES, "pydantic")
CLIENT_SIDE = ("elnudge", "elnudge.client", "elnudge.vocabulary", "elnudge.cli", "elnudge.export")


def imported_by(code: str, *argv: str) -> set[str]:
    """Every module a fresh interpreter imported while running `code` (with -X importtime)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}


def server_side(modules: set[str], forbidden: tuple[str, ...] = SERVER_MODULES) -> set[str]:
    foreign = {name for name in modules if name.split(".")[0] in forbidden}
    ours = {
        name
        for name in modules
        if name.startswith("elnudge.")
        and not any(name == side or name.startswith(side + ".") for side in CLIENT_SIDE)
    }
    return foreign | ours


def test_import_elnudge_loads_nothing_more_until_the_client_is_used() -> None:
    modules = imported_by("import elnudge")
    assert "httpx" not in modules and not server_side(modules, CLIENT_FORBIDDEN)


def test_the_client_never_imports_the_server() -> None:
    modules = imported_by(
        "import elnudge; elnudge.Client; elnudge.AsyncClient; import elnudge.client"
    )
    assert "httpx" in modules and "elnudge.client.clients" in modules
    assert server_side(modules, CLIENT_FORBIDDEN) == set()


def test_the_data_commands_never_import_the_server() -> None:
    run_cli = "import sys; from elnudge.cli import main; sys.argv[0] = 'elnudge'; main()"
    for command in (["sessions", "list", "--help"], ["export", "sessions", "--help"]):
        modules = imported_by(run_cli, *command)
        assert "elnudge.cli.export" in modules and "elnudge.export.runner" in modules
        assert server_side(modules) == set(), command
    # The full command still lists them (and loads the server, as it must for `serve`).
    everything = imported_by(run_cli, "--help")
    assert "elnudge.cli.main" in everything and "sqlalchemy" in everything


def test_the_public_surface() -> None:
    for name in elnudge.client.__all__:
        assert getattr(elnudge.client, name) is not None
    for name in elnudge.__all__:
        assert getattr(elnudge, name) is not None
    assert elnudge.Client is elnudge.client.Client
    assert set(elnudge.__all__) - {"__version__"} <= set(elnudge.client.__all__)
    assert issubclass(elnudge.RateLimitError, elnudge.APIError)
    assert issubclass(elnudge.APITimeoutError, elnudge.APIConnectionError)
    assert "Client" in dir(elnudge)


def test_docstrings_show_up_in_help() -> None:
    import pydoc

    text = pydoc.render_doc(elnudge.Client)
    assert "auto_paging_iter" in text and "max_retries" in text
    client = elnudge.Client("sk_test_x")
    try:
        assert "newest first" in pydoc.render_doc(client.sessions.list)
        assert "event_id" in pydoc.render_doc(client.events.send)
    finally:
        client.close()
