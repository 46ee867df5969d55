"""Charts drawn on the server as SVG: no script, nothing to load, readable by screen readers
through their title and description."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28  # room for the axes' labels


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment to mark on a curve (a nudge shown), with its label."""

    at_ms: int
    label: str


def intent_curve(points: Sequence[tuple[int, int]], marks: Sequence[Mark], summary: str) -> Markup:
    """The intent score (0-100) after each event as a step line over the session's time, each
    nudge a dashed vertical line with a dot; `summary` is the chart's accessible name."""
    if not points:
        return Markup("")
    start = min([points[0][0], *(mark.at_ms for mark in marks)])
    end = max([points[-1][0], *(mark.at_ms for mark in marks)])
    span = max(end - start, 1)

    def x(ms: int) -> float:
        return round(LEFT + (ms - start) / span * (WIDTH - LEFT - RIGHT), 1)

    def y(score: int) -> float:
        return round(TOP + (100 - score) / 100 * (HEIGHT - TOP - BOTTOM), 1)

    path = [f"M{x(points[0][0])},{y(points[0][1])}"]
    for (_, previous), (at, score) in pairwise(points):
        path.append(f"H{x(at)}V{y(score)}" if score != previous else f"H{x(at)}")
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="curve-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="curve-title">{escape(summary)}</title>',
    ]
    for score in (0, 50, 100):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(score)}" y2="{y(score)}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(score) + 4}" text-anchor="end">{score}</text>'
        )
    parts.append(f'<path class="curve" d="{" ".join(path)}"/>')
    for mark in marks:
        mark_x = x(mark.at_ms)
        parts.append(
            f'<g class="mark"><title>{escape(mark.label)}</title>'
            f'<line x1="{mark_x}" x2="{mark_x}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>'
            f'<circle cx="{mark_x}" cy="{TOP + 4}" r="5"/></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
