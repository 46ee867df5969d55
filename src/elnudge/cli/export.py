"""`elnudge export sessions|nudges`: everything in a period, through the API, to a file.

JSONL writes one object per line exactly as the API gives it; CSV and Parquet columns are
documented in `elnudge.export.columns`. A progress bar (rows and rate) is drawn on a terminal
only: piped or redirected, the command prints nothing but errors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from elnudge.cli.api import DEFAULT_API_URL, ApiKey, ApiUrl, api_client, fail
from elnudge.export import ExportSpec, run_export
from elnudge.export.files import ExportError
from elnudge.export.runner import FORMATS, ExportResult

app = typer.Typer(
    help="Export sessions or nudges to JSONL, CSV or Parquet (through the API).",
    no_args_is_help=True,
)
progress_console = Console(stderr=True)

From = Annotated[
    str | None, typer.Option("--from", help="Start of the period (ISO 8601); default 30 days ago.")
]
To = Annotated[str | None, typer.Option("--to", help="End of the period, exclusive; default now.")]
Format = Annotated[str, typer.Option("--format", help=f"One of {', '.join(FORMATS)}.")]
Output = Annotated[Path, typer.Option("--output", "-o", help="The file to write.")]
Resume = Annotated[
    bool,
    typer.Option(
        "--resume",
        help="Continue an interrupted export of the same options from its saved cursor "
        "(FILE.export-state.jsonl).",
    ),
]
PageSize = Annotated[int, typer.Option(help="Rows per API request, 1–200.", min=1, max=200)]


@app.command()
def sessions(
    output: Output,
    from_: From = None,
    to: To = None,
    file_format: Format = "jsonl",
    with_events: Annotated[
        bool, typer.Option("--with-events", help="Each session with its events and nudges.")
    ] = False,
    resume: Resume = False,
    page_size: PageSize = 200,
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
) -> None:
    """Sessions that started in the period, newest first."""
    spec = ExportSpec(
        kind="sessions",
        file_format=file_format,
        output=output,
        from_=from_,
        to=to,
        with_events=with_events,
        resume=resume,
        page_size=page_size,
    )
    _export(spec, api_url, api_key)


@app.command()
def nudges(
    output: Output,
    from_: From = None,
    to: To = None,
    file_format: Format = "jsonl",
    resume: Resume = False,
    page_size: PageSize = 200,
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
) -> None:
    """Nudges shown in the period, newest first."""
    spec = ExportSpec(
        kind="nudges",
        file_format=file_format,
        output=output,
        from_=from_,
        to=to,
        resume=resume,
        page_size=page_size,
    )
    _export(spec, api_url, api_key)


def _export(spec: ExportSpec, api_url: str, api_key: str | None) -> None:
    with api_client(api_url, api_key) as client:
        try:
            if not progress_console.is_terminal:
                run_export(client, spec)
                return
            result = _with_progress_bar(lambda tick: run_export(client, spec, tick), spec.kind)
        except ExportError as error:
            fail(str(error))
        except KeyboardInterrupt:
            fail("interrupted: run the same command with --resume to continue.", code=130)
    _summary(spec, result)


def _with_progress_bar(
    export: Callable[[Callable[[int], None]], ExportResult], kind: str
) -> ExportResult:
    columns = (
        SpinnerColumn(),
        TextColumn(f"Exporting {kind}"),
        TextColumn("[bold]{task.completed:,.0f}[/bold] rows"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=progress_console, transient=False) as progress:
        task = progress.add_task(kind, total=None, rate="")

        def tick(rows: int) -> None:
            progress.advance(task, rows)
            speed = progress.tasks[0].speed
            progress.update(task, rate=f"{speed:,.0f}/s" if speed else "")

        return export(tick)


def _summary(spec: ExportSpec, result: ExportResult) -> None:
    resumed = f" ({result.resumed_from:,} before the resume)" if result.resumed_from else ""
    gone = f"; {result.vanished} sessions were erased meanwhile" if result.vanished else ""
    summary = f"Wrote {result.rows:,} {spec.kind} to {spec.output}{resumed}{gone}."
    progress_console.print(summary, highlight=False, soft_wrap=True)
