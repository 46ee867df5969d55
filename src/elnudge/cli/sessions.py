"""`elnudge sessions list|get`: read sessions through the API, as tables or as JSON."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

import orjson
import typer
from rich.console import Console
from rich.table import Table

from elnudge.cli.api import DEFAULT_API_URL, ApiKey, ApiUrl, api_client
from elnudge.client import SessionDetail

app = typer.Typer(help="Read sessions through the API (any elNudge server).", no_args_is_help=True)
# Piped, a table keeps its full width (ids are never cut); on a terminal it fits the window.
console = Console() if sys.stdout.isatty() else Console(width=160)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the API's JSON instead.")]


@app.command("list")
def list_sessions(
    from_: Annotated[
        str | None,
        typer.Option("--from", help="Started at or after (ISO 8601); default 30 days ago."),
    ] = None,
    to: Annotated[str | None, typer.Option(help="Started before (ISO 8601); default now.")] = None,
    limit: Annotated[int, typer.Option(help="Sessions per page, 1–200.")] = 20,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page.")] = None,
    as_json: JsonFlag = False,
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
) -> None:
    """One page of sessions, newest first; the next page's --cursor is printed after it."""
    with api_client(api_url, api_key) as client:
        page = client.sessions.list(from_=from_, to=to, limit=limit, cursor=cursor)
    if as_json:
        _print_json(
            {"data": page.raw_data, "next_cursor": page.next_cursor, "has_more": page.has_more}
        )
        return
    table = Table("id", "started_at", "ended_at", "pages", "intent", "converted", "nudges")
    for session in page.data:
        table.add_row(
            session.id,
            _time(session.started_at),
            _time(session.ended_at),
            str(session.page_count),
            str(session.intent_score),
            "yes" if session.converted else "no",
            str(session.nudge_count),
        )
    console.print(table)
    if page.has_more:
        console.print(f"Next page: --cursor {page.next_cursor}", soft_wrap=True, highlight=False)


@app.command("get")
def get_session(
    session_id: Annotated[str, typer.Argument(help="The session's id (sess_…).")],
    as_json: JsonFlag = False,
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
) -> None:
    """One session with its event log and its nudges."""
    with api_client(api_url, api_key) as client:
        body = client.raw_request("GET", f"/v1/sessions/{quote(session_id, safe='')}")
    if as_json:
        _print_json(body)  # exactly as the API gave it
        return
    _print_detail(SessionDetail.from_api(body["data"]))


def _print_detail(session: SessionDetail) -> None:
    console.print(
        f"[bold]{session.id}[/bold]  {_time(session.started_at)} → {_time(session.ended_at)}\n"
        f"pages {session.page_count} · intent {session.intent_score} · "
        f"{'converted' if session.converted else 'not converted'} · nudges {session.nudge_count}",
        highlight=False,
    )
    events = Table("occurred_at", "type", "url", title="Events")
    for event in session.events:
        events.add_row(_time(event.occurred_at), event.type, event.url)
    console.print(events)
    if session.nudges:
        nudges = Table("shown_at", "nudge_id", "type", "outcome", "influenced", title="Nudges")
        for nudge in session.nudges:
            influenced = "yes" if nudge.influenced_conversion else "no"
            nudges.add_row(
                _time(nudge.shown_at), nudge.nudge_id, nudge.type, nudge.outcome, influenced
            )
        console.print(nudges)


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")
