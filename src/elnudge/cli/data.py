"""The data commands, which read through the API and never import the server: registered in
the full `elnudge` app (`cli.main`) and run on their own by `cli.main()` (see `elnudge.cli`)."""

from __future__ import annotations

import typer

from elnudge.cli import export, sessions

COMMANDS: dict[str, typer.Typer] = {"sessions": sessions.app, "export": export.app}

app = typer.Typer(
    help="elNudge's data commands (through the API).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals could hold keys
)
for name, command in COMMANDS.items():
    app.add_typer(command, name=name)
