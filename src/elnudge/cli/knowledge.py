"""`elnudge knowledge …`: the store's FAQ entries and policies, which the chat's knowledge
responder answers from (with the catalogue its PRODUCT_VIEW events describe)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from elnudge.cli.context import clock, console, database, print_json
from elnudge.knowledge import service
from elnudge.knowledge.csvfile import entries_from_csv

app = typer.Typer(help="The store's knowledge for the chat panel.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@app.command()
def add(
    site_id: str,
    title: Annotated[str, typer.Option(help="The question, or the policy's name.")],
    body: Annotated[str, typer.Option(help="The answer, as the shopper will read it.")],
    kind: Annotated[str, typer.Option(help="faq or policy.")] = "faq",
    url: Annotated[str | None, typer.Option(help="Where the store says more.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add one entry."""
    entry = service.Entry(kind=kind, title=title, body=body, url=url)
    with database() as db, db.write() as connection:
        [entry_id] = service.add_entries(connection, site_id, [entry], clock.now_ms())
    if as_json:
        print_json({"id": entry_id})
    else:
        console.print(f"Added {entry_id}.")


@app.command("import")
def import_csv(
    site_id: str,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with the columns kind,title,body,url.", exists=True, dir_okay=False
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Add every entry of a CSV file (UTF-8), all or none: each bad line is named and nothing
    is added. The dashboard's Knowledge page reads an upload the same way."""
    with database() as db:
        entries = entries_from_csv(file.read_bytes())
        with db.write() as connection:
            added = service.add_entries(connection, site_id, entries, clock.now_ms())
    if as_json:
        print_json({"added": len(added)})
    else:
        console.print(f"Added {len(added)} entries.")


@app.command("list")
def list_entries(site_id: str, as_json: JsonFlag = False) -> None:
    """The site's entries, oldest first."""
    with database() as db, db.read() as connection:
        entries = service.list_entries(connection, site_id)
    if as_json:
        print_json({"data": entries})
        return
    table = Table("id", "kind", "title", "url")
    for entry in entries:
        table.add_row(entry["id"], entry["kind"], entry["title"], entry["url"] or "")
    console.print(table)


@app.command()
def remove(site_id: str, entry_id: str) -> None:
    """Remove one entry."""
    with database() as db, db.write() as connection:
        service.remove_entry(connection, site_id, entry_id)
    console.print(f"Removed {entry_id}.")
