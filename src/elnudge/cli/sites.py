"""`elnudge sites …`"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from elnudge.cli import engine_flags
from elnudge.cli.context import clock, console, database, errors, print_json
from elnudge.cli.engine_flags import OnOff
from elnudge.conversations.service import set_responder
from elnudge.engine import ToastPosition
from elnudge.privacy.site_deletion import delete_site
from elnudge.provisioning import create_site
from elnudge.sites import repository, service
from elnudge.sites.engine import update_engine_settings
from elnudge.sites.origins import set_allowed_origins
from elnudge.sites.plans import PLAN_NAMES
from elnudge.sites.summary import site_summary

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
    quiet_zone: Annotated[
        list[str] | None,
        typer.Option(
            help="A path glob where no nudge appears (* any run, ? one character, /x/* also "
            "matches /x); repeat for several. Replaces the current list."
        ),
    ] = None,
    no_quiet_zones: Annotated[
        bool, typer.Option("--no-quiet-zones", help="Drop the site's quiet zones.")
    ] = False,
    holdout_percent: Annotated[
        int | None, typer.Option(help="Share of visitors held out to measure lift (0-50).")
    ] = None,
    agent_name: Annotated[str | None, typer.Option(help="The chat agent's name.")] = None,
    toast_position: Annotated[
        ToastPosition | None, typer.Option(help="Where toasts appear.")
    ] = None,
    free_shipping_threshold: Annotated[
        str | None,
        typer.Option(help="Order value for free shipping (with --currency); 'none' to drop."),
    ] = None,
    currency: Annotated[
        str | None, typer.Option(help="The free-shipping threshold's ISO 4217 currency.")
    ] = None,
    monthly_sessions: Annotated[
        str | None,
        typer.Option(help="Sessions a month nudges may reach: a number, 'plan' or 'unlimited'."),
    ] = None,
    nudges: Annotated[OnOff | None, typer.Option(help="Show nudges at all.")] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="The IANA time zone the dashboard shows times in (Europe/Paris)."),
    ] = None,
    chat_responder: Annotated[
        str | None,
        typer.Option(help="Who answers the chat panel: knowledge (default), llm or human."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a site's plan, its retention overrides (enterprise), its allowed origins or its
    nudge engine settings. All or nothing: a bad value names its flag and changes nothing."""
    engine_changes = engine_flags.changes(
        quiet_zone=quiet_zone,
        no_quiet_zones=no_quiet_zones,
        holdout_percent=holdout_percent,
        agent_name=agent_name,
        toast_position=toast_position,
        free_shipping_threshold=free_shipping_threshold,
        currency=currency,
        monthly_sessions=monthly_sessions,
        nudges=nudges,
    )
    with database() as db, db.write() as connection, engine_flags.naming_flags():
        service.update_site(
            connection,
            site_id,
            plan=plan,
            api_window_days=api_window_days,
            storage_days=storage_days,
            timezone=timezone,
        )
        if allowed_origin or any_origin:
            set_allowed_origins(connection, site_id, [] if any_origin else allowed_origin or [])
        if engine_changes:
            update_engine_settings(connection, site_id, engine_changes)
        if chat_responder is not None:
            set_responder(connection, site_id, chat_responder)
        summary = site_summary(connection, site_id, clock.now_ms())
    if as_json:
        print_json(summary)
    else:
        allowed = ", ".join(summary["allowed_origins"] or []) or "any"
        console.print(f"Updated {site_id}: plan {summary['plan']}, origins {allowed}.")


@app.command()
def show(site_id: str, as_json: JsonFlag = False) -> None:
    """A site's plan, windows, allowed origins, nudge engine settings and this month's usage."""
    with database() as db, db.read() as connection:
        summary = site_summary(connection, site_id, clock.now_ms())
    if as_json:
        print_json(summary)
        return
    for key, value in summary.items():
        console.print(f"{key:16} {value}", soft_wrap=True)


@app.command("list")
def list_sites() -> None:
    """All sites in this database."""
    with database() as db, db.read() as connection:
        rows = repository.list_sites(connection)
    table = Table("site_id", "name", "plan")
    for row in rows:
        table.add_row(row["site_id"], row["name"], row["plan"])
    console.print(table)


@app.command("delete")
def delete(
    site_id: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Delete a site and all its data. Its keys stop working at the first step; the data goes
    in small batches, so an interrupted run can simply be repeated to finish."""
    with database() as db:
        with db.read() as connection:
            site = repository.get_site(connection, site_id)
        if site is None:
            errors.print(f"[red]error:[/red] No site {site_id!r}.")
            raise typer.Exit(1)
        if not yes:
            typer.confirm(
                f"Delete {site['name']} ({site_id}) and all its data? This cannot be undone.",
                abort=True,
                err=True,
            )
        report = delete_site(db, site_id, now_ms=clock.now_ms())
    if as_json:
        print_json({"site_id": site_id, "deleted": True, "keys": report.keys, "rows": report.rows})
        return
    deleted = sum(report.rows.values())
    console.print(f"Deleted {site_id}: {report.keys} keys and {deleted} rows of data.")
