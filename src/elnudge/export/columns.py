"""The columns of an export, per kind, in the API's field order: the CSV header and the
Parquet schema both come from here.

CSV: times as the API writes them (`2026-04-29T10:14:32Z`), booleans `true`/`false`, and with
`--with-events` the session's `events` and `nudges` as JSON arrays in one cell each.
Parquet: times are `timestamp[ms, tz=UTC]` (whole seconds; Parquet has no seconds unit),
counts `int32`, and `events`/`nudges` are lists of structs with the API's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson


class Kind(StrEnum):
    """What a column holds."""

    TEXT = "text"
    TIME = "time"
    COUNT = "count"
    FLAG = "flag"
    EVENTS = "events"
    NUDGES = "nudges"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind


SESSION_COLUMNS = (
    Column("id", Kind.TEXT),
    Column("started_at", Kind.TIME),
    Column("ended_at", Kind.TIME),
    Column("page_count", Kind.COUNT),
    Column("intent_score", Kind.COUNT),
    Column("converted", Kind.FLAG),
    Column("nudge_count", Kind.COUNT),
)
DETAIL_COLUMNS = (*SESSION_COLUMNS, Column("events", Kind.EVENTS), Column("nudges", Kind.NUDGES))
NUDGE_COLUMNS = (
    Column("id", Kind.TEXT),
    Column("session_id", Kind.TEXT),
    Column("type", Kind.TEXT),
    Column("shown_at", Kind.TIME),
    Column("outcome", Kind.TEXT),
    Column("influenced_conversion", Kind.FLAG),
)
# The struct fields of the nested lists (Parquet), as the session detail gives them.
EVENT_FIELDS = (
    Column("type", Kind.TEXT),
    Column("url", Kind.TEXT),
    Column("occurred_at", Kind.TIME),
)
NUDGE_FIELDS = (
    Column("nudge_id", Kind.TEXT),
    Column("type", Kind.TEXT),
    Column("shown_at", Kind.TIME),
    Column("outcome", Kind.TEXT),
    Column("influenced_conversion", Kind.FLAG),
)


def columns_for(kind: str, with_events: bool) -> tuple[Column, ...]:
    if kind == "nudges":
        return NUDGE_COLUMNS
    return DETAIL_COLUMNS if with_events else SESSION_COLUMNS


def csv_cell(kind: Kind, value: Any) -> str:
    if value is None:
        return ""
    if kind is Kind.FLAG:
        return "true" if value else "false"
    if kind in (Kind.EVENTS, Kind.NUDGES):
        return orjson.dumps(value).decode()
    return str(value)


def csv_row(columns: tuple[Column, ...], item: Mapping[str, Any]) -> list[str]:
    return [csv_cell(column.kind, item.get(column.name)) for column in columns]
