"""`elnudge webhooks …`: a site's endpoints, their delivery log, and the worker."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.table import Column, Table

from elnudge.cli.context import clock, console, database, print_json
from elnudge.config import Settings
from elnudge.timestamps import format_timestamp
from elnudge.webhooks import service
from elnudge.webhooks.events import SUBSCRIBABLE
from elnudge.webhooks.worker import Worker

app = typer.Typer(help="Signed webhooks: endpoints, deliveries, the worker.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@app.command()
def create(
    site_id: str,
    url: Annotated[str, typer.Option(help="An https:// URL on a public address.")],
    event: Annotated[
        list[str] | None,
        typer.Option(help=f"An event to send (repeat; default all): {', '.join(SUBSCRIBABLE)}."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add an endpoint. Its signing secret is shown only now."""
    settings = Settings()
    with database(settings) as db, db.write() as connection:
        created = service.create_endpoint(
            connection,
            site_id,
            url=url,
            events=event or [],
            allow_local=settings.webhooks_allow_local,
            now_ms=clock.now_ms(),
        )
    if as_json:
        print_json({"id": created.endpoint_id, "secret": created.secret})
        return
    console.print(f"Created webhook endpoint {created.endpoint_id}.")
    console.print(f"  secret  {created.secret}")
    console.print("[yellow]Store the secret now: it is not shown again.[/yellow]")


@app.command("list")
def list_endpoints(site_id: str, as_json: JsonFlag = False) -> None:
    """A site's endpoints (never their secrets)."""
    with database() as db, db.read() as connection:
        rows = service.list_endpoints(connection, site_id)
    if as_json:
        print_json({"data": rows})
        return
    table = Table(Column("id", no_wrap=True), "url", "events", "enabled")
    for row in rows:
        table.add_row(row["id"], row["url"], ", ".join(row["events"]), str(row["enabled"]).lower())
    console.print(table)


@app.command()
def rotate(endpoint_id: str, as_json: JsonFlag = False) -> None:
    """A new signing secret; for 5 minutes deliveries carry both signatures."""
    with database() as db, db.write() as connection:
        secret = service.rotate(connection, endpoint_id, clock.now_ms())
    if as_json:
        print_json({"id": endpoint_id, "secret": secret})
        return
    console.print(f"New secret for {endpoint_id}: {secret}")
    console.print("The old secret keeps signing alongside it for 5 minutes.")


@app.command()
def delete(endpoint_id: str) -> None:
    """Delete an endpoint and its delivery log; nothing more is sent to it."""
    with database() as db, db.write() as connection:
        service.remove(connection, endpoint_id)
    console.print(f"Deleted webhook endpoint {endpoint_id}.")


@app.command()
def test(endpoint_id: str, as_json: JsonFlag = False) -> None:
    """Queue a `ping` for the endpoint (the worker sends it; see `deliveries`)."""
    with database() as db, db.write() as connection:
        event_id = service.send_test(connection, endpoint_id, clock.now_ms())
    if as_json:
        print_json({"id": endpoint_id, "event_id": event_id})
        return
    console.print(f"Queued ping {event_id} for {endpoint_id}.")


@app.command()
def deliveries(
    endpoint_id: str,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """The endpoint's delivery log, newest first."""
    with database() as db, db.read() as connection:
        log = service.delivery_log(connection, endpoint_id, limit)
    if as_json:
        print_json({"data": log})
        return
    table = Table(
        Column("id", no_wrap=True), "event", "status", "attempts", "created", "last answer"
    )
    for row in log:
        answer = row["last_error"] or (str(row["last_status"]) if row["last_status"] else "")
        created = format_timestamp(row["created_at"])
        table.add_row(row["id"], row["event"], row["status"], str(row["attempts"]), created, answer)
    console.print(table)


@app.command()
def worker() -> None:
    """Send queued webhooks until interrupted (for deployments that run it apart from the API
    servers, with ELNUDGE_WEBHOOKS_WORKER=false there)."""
    settings = Settings()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with database(settings) as db:
        console.print("Webhook worker running (Ctrl+C to stop).")
        Worker(db, clock, settings.webhooks_allow_local).run_forever(stop)
