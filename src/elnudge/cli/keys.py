"""`elnudge keys …`"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from elnudge.cli.context import clock, console, database, print_json
from elnudge.config import Settings
from elnudge.keys import repository, service
from elnudge.keys.service import IssuedKey
from elnudge.timestamps import format_timestamp
from elnudge.vocabulary import KeyKind, Mode

app = typer.Typer(help="Issue, list, roll and revoke API keys.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _show(issued: IssuedKey, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "key_id": issued.key_id,
                "site_id": issued.site_id,
                "mode": issued.mode,
                "kind": issued.kind,
                "key": issued.token,
            }
        )
        return
    console.print(f"{issued.key_id} ({issued.kind}, {issued.mode}): {issued.token}")
    console.print("[yellow]Store it now: it is not shown again.[/yellow]")


@app.command()
def create(
    site_id: str,
    mode: Annotated[Mode, typer.Option(help="Which data the key sees.")] = Mode.LIVE,
    kind: Annotated[
        KeyKind, typer.Option(help="secret (REST API) or public (storefront relay).")
    ] = KeyKind.SECRET,
    as_json: JsonFlag = False,
) -> None:
    """Issue a new key for a site."""
    with database() as db, db.write() as connection:
        issued = service.issue_key(
            connection, site_id=site_id, mode=mode, kind=kind, now_ms=clock.now_ms()
        )
    _show(issued, as_json)


@app.command("list")
def list_keys(site_id: str) -> None:
    """A site's keys (never the keys themselves: only their last four characters)."""
    now_ms = clock.now_ms()
    with database() as db, db.read() as connection:
        rows = repository.list_keys(connection, site_id)
    table = Table("key_id", "kind", "mode", "ends with", "created", "status")
    for row in rows:
        status = "active" if service.is_active(row, now_ms) else "revoked or expired"
        if row["expires_at"] is not None and service.is_active(row, now_ms):
            status = f"expires {format_timestamp(row['expires_at'])}"
        table.add_row(
            row["key_id"],
            row["kind"],
            row["mode"],
            "…" + row["hint"],
            format_timestamp(row["created_at"]),
            status,
        )
    console.print(table)


@app.command()
def roll(
    key_id: str,
    grace_seconds: Annotated[
        int | None, typer.Option(help="How long the old key keeps working (default 1 hour).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Replace a key; the old one keeps working for the grace period, then stops."""
    grace = Settings().key_roll_grace_seconds if grace_seconds is None else grace_seconds
    with database() as db, db.write() as connection:
        issued = service.roll_key(connection, key_id, now_ms=clock.now_ms(), grace_seconds=grace)
    _show(issued, as_json)


@app.command()
def revoke(key_id: str) -> None:
    """Stop a key at once."""
    with database() as db, db.write() as connection:
        service.revoke_key(connection, key_id, now_ms=clock.now_ms())
    console.print(f"Revoked {key_id}.")
