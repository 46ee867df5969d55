"""`elnudge sites …`"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from elnudge.cli.context import clock, console, database, print_json
from elnudge.provisioning import create_site
from elnudge.sites import repository, service
from elnudge.sites.origins import allowed_origins, set_allowed_origins
from elnudge.sites.plans import PLAN_NAMES

app = typer.Typer(help="Create and change sites (stores).", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@app.command()
def create(
    name: Annotated[str, typer.Option(help="The store's name.")],
    plan: Annotated[str, typer.Option(help=f"One of {', '.join(PLAN_NAMES)}.")] = "starter",
    as_json: JsonFlag = False,
) -> None:
    """Create a site with a secret and a public key for each mode. Keys are shown only now."""
    with database() as db, db.write() as connection:
        site = create_site(connection, name=name, plan=plan, now_ms=clock.now_ms())
    keys = {
        "secret_key_live": site.secret_key_live,
        "secret_key_test": site.secret_key_test,
        "site_key_live": site.site_key_live,
        "site_key_test": site.site_key_test,
    }
    if as_json:
        print_json({"site_id": site.site_id, "plan": site.plan, **keys})
        return
    console.print(f"Created [bold]{site.name}[/bold] ({site.site_id}, plan {site.plan}).")
    for label, key in keys.items():
        console.print(f"  {label:16} {key}")
    console.print("[yellow]Store the secret keys now: they are not shown again.[/yellow]")


@app.command()
def update(
    site_id: str,
    plan: Annotated[str | None, typer.Option(help=f"One of {', '.join(PLAN_NAMES)}.")] = None,
    api_window_days: Annotated[
        int | None, typer.Option(help="Enterprise only: API window.")
    ] = None,
    storage_days: Annotated[
        int | None, typer.Option(help="Enterprise only: storage retention.")
    ] = None,
    allowed_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="Only this origin (e.g. https://shop.example) may send events with the "
            "site's public keys; repeat for several. Replaces the current list."
        ),
    ] = None,
    any_origin: Annotated[
        bool, typer.Option("--any-origin", help="Drop the allow-list: any origin may send.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Change a site's plan, its retention overrides (enterprise) or its allowed origins."""
    with database() as db, db.write() as connection:
        site = service.update_site(
            connection,
            site_id,
            plan=plan,
            api_window_days=api_window_days,
            storage_days=storage_days,
        )
        if allowed_origin or any_origin:
            set_allowed_origins(connection, site_id, [] if any_origin else allowed_origin or [])
        origins = allowed_origins(connection, site_id)
    summary = {key: site[key] for key in ("site_id", "plan", "api_window_days", "storage_days")}
    summary["allowed_origins"] = origins
    if as_json:
        print_json(summary)
    else:
        allowed = ", ".join(origins) if origins else "any"
        console.print(f"Updated {site_id}: plan {site['plan']}, origins {allowed}.")


@app.command("list")
def list_sites() -> None:
    """All sites in this database."""
    with database() as db, db.read() as connection:
        rows = repository.list_sites(connection)
    table = Table("site_id", "name", "plan")
    for row in rows:
        table.add_row(row["site_id"], row["name"], row["plan"])
    console.print(table)
