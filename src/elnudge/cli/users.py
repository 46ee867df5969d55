"""`elnudge users …`: the people who may sign in to the dashboard."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from elnudge.cli.context import clock, console, database, errors, print_json
from elnudge.users import repository, service
from elnudge.vocabulary import Role

app = typer.Typer(help="Dashboard users and the sites they may see.", no_args_is_help=True)


@app.command()
def create(
    email: Annotated[str, typer.Option(help="The user's email: their sign-in name.")],
    site: Annotated[str, typer.Option(help="The site (site_…) the user may see.")],
    role: Annotated[
        Role, typer.Option(help="owner: may change settings and keys; viewer: may only look.")
    ] = Role.OWNER,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from standard input (never a flag: flags land in the "
            "shell's history and the process list).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create a user with access to a site, or give an existing user another site (and the
    password read now)."""
    if not password_stdin:
        errors.print("[red]error:[/red] pass --password-stdin and the password on stdin.")
        raise typer.Exit(2)
    password = sys.stdin.readline().rstrip("\r\n")
    with database() as db, db.write() as connection:
        user_id = service.create_user(
            connection,
            email=email,
            password=password,
            site_id=site,
            role=role,
            now_ms=clock.now_ms(),
        )
    email = service.normalize_email(email)
    if as_json:
        print_json({"user_id": user_id, "email": email, "site_id": site, "role": str(role)})
        return
    console.print(f"{email} may now sign in to the dashboard for {site} as {role}.")


@app.command("list")
def list_users() -> None:
    """Every user, with each site they may see and their role there."""
    with database() as db, db.read() as connection:
        rows = repository.list_users(connection)
    table = Table("email", "site_id", "role")
    for row in rows:
        table.add_row(row["email"], row["site_id"] or "—", row["role"] or "—")
    console.print(table)


@app.command()
def delete(email: str) -> None:
    """Delete a user: their access and every browser they are signed in on end now."""
    with database() as db, db.write() as connection:
        service.delete_user(connection, email)
    console.print(f"Deleted {email}.")
