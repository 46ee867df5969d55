"""The Jinja2 environment (autoescaping everything) and `render`, which every page uses."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from elnudge.dashboard.times import local_time
from elnudge.vocabulary import Role

PREFIX = "/dashboard"
ENVIRONMENT = Environment(
    loader=PackageLoader("elnudge.dashboard", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.globals["prefix"] = PREFIX
ENVIRONMENT.filters["local_time"] = local_time


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The page `template` with `context`; every page gets `user`, `grant` and `csrf` (None
    when not signed in or not on a site's page), and `readonly` (a viewer's site page)."""
    values: dict[str, Any] = {"user": None, "grant": None, "csrf": "", "error": None}
    values.update(context)
    values["readonly"] = values["grant"] is not None and values["grant"].role != Role.OWNER
    html = ENVIRONMENT.get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers=headers)
