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


def daily_bars(days: Sequence[tuple[str, float]], title: str, unit: str = "") -> Markup:
    """One bar per day (label, value), scaled to the period's largest value; each bar carries
    its day and value as a tooltip, and the chart its title as accessible name."""
    if not days:
        return Markup("")
    top = max(value for _, value in days) or 1
    left_edge = 96  # room for the scale's label at the bars' larger type
    plot_w, plot_h = WIDTH - left_edge - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(days)
    bar = max(step * 0.7, 1)
    parts = [
        f'<svg class="chart bars" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line class="grid" x1="{left_edge}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
        f'y2="{TOP + plot_h}"/>',
        f'<text class="axis" x="{left_edge - 6}" y="{TOP + 18}" text-anchor="end">'
        f"{escape(_short(top))}{escape(unit)}</text>",
        f'<text class="axis" x="{left_edge - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>',
    ]
    for index, (label, value) in enumerate(days):
        height = round(value / top * plot_h, 1)
        left = round(left_edge + index * step + (step - bar) / 2, 1)
        parts.append(
            f'<rect class="bar" x="{left}" y="{round(TOP + plot_h - height, 1)}" '
            f'width="{round(bar, 1)}" height="{height}">'
            f"<title>{escape(label)}: {escape(_short(value))}{escape(unit)}</title></rect>"
        )
    for index in sorted({0, len(days) - 1}):
        anchor = "start" if index == 0 else "end"
        x = left_edge if index == 0 else WIDTH - RIGHT
        parts.append(
            f'<text class="axis" x="{x}" y="{HEIGHT - 2}" text-anchor="{anchor}">'
            f"{escape(days[index][0])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
