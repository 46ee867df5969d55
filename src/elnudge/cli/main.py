"""The root of the `elnudge` command."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.progress import Progress

from elnudge.cli import data, keys, knowledge, sites, users, webhooks
from elnudge.cli.context import clock, console, database
from elnudge.config import Settings
from elnudge.demo import create_demo_site, create_demo_user
from elnudge.retention.purge import purge as purge_old_data
from elnudge.server import HTTP_PROTOCOL
from elnudge.web import serving

app = typer.Typer(
    help="elNudge: sessions, intent scores and nudges for your store.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals could hold keys
)
app.add_typer(sites.app, name="sites")
app.add_typer(keys.app, name="keys")
app.add_typer(users.app, name="users")
app.add_typer(webhooks.app, name="webhooks")
app.add_typer(knowledge.app, name="knowledge")
for name, data_command in data.COMMANDS.items():  # also run alone: see elnudge.cli.main()
    app.add_typer(data_command, name=name)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

Host = Annotated[str, typer.Option(help="Interface to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]


@db_app.command()
def upgrade() -> None:
    """Apply migrations up to the newest schema (the server also does this on start)."""
    with database():
        pass
    console.print("Database is at the newest schema.")


@app.command()
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log",
            help="Log every request with the client's address (off: an address is personal data).",
        ),
    ] = False,
) -> None:
    """Run the API server."""
    with database():
        pass  # migrate once here, not in every worker at the same time
    os.environ["ELNUDGE_MIGRATE_ON_START"] = "false"  # read by each worker's Settings
    serving.run(
        "elnudge.server:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HTTP_PROTOCOL,
        loop="uvloop",
        access_log=access_log,
    )


@app.command()
def demo(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    days: Annotated[int, typer.Option(help="Days of simulated history.")] = 30,
    per_day: Annotated[int, typer.Option(help="Sessions per day.")] = 300,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Fill the data, then exit.")] = False,
) -> None:
    """Create a demo site with simulated traffic, print its keys and a ready curl, and serve."""
    settings = Settings()
    with database(settings) as db, Progress(console=console, transient=True) as progress:
        task = progress.add_task("Simulating shoppers", total=None)
        site = create_demo_site(
            db,
            clock,
            settings,
            days=days,
            sessions_per_day=per_day,
            progress=lambda n: progress.advance(task, n),
        )
        email, password = create_demo_user(db, site.site_id, clock.now_ms())
    console.print(
        f"\n[bold green]Demo Shop is ready[/bold green] ({site.site_id}, plan {site.plan})"
    )
    console.print(f"  secret key (live): {site.secret_key_live}")
    console.print(f"  site key (live):   {site.site_key_live}")
    console.print("\nTry it:\n")
    url = f"http://{host}:{port}/v1/sessions?limit=5"
    auth = f"Authorization: Bearer {site.secret_key_live}"
    console.print(f'  curl "{url}" -H "{auth}"', soft_wrap=True)
    console.print(f"\nDashboard: http://{host}:{port}/dashboard/")
    console.print(f"  email:    {email}")
    console.print(f"  password: {password}")
    console.print(f"\nAPI docs: http://{host}:{port}/docs")
    console.print(f"Demo shop (reports through the SDK): http://{host}:{port}/shop/\n")
    if not no_serve:
        os.environ["ELNUDGE_SHOP_SITE_KEY"] = site.site_key_live  # read by the server's Settings
        serve(host=host, port=port, workers=1)


@app.command()
def purge() -> None:
    """Delete everything older than each site's storage retention."""
    with database() as db:
        report = purge_old_data(db, clock)
    console.print(
        f"Purged {report.sessions} sessions, {report.events} events"
        f" and {report.conversations} conversations."
    )
