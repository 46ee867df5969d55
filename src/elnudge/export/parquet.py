"""Parquet output through pyarrow, an optional extra (`pip install 'elnudge[parquet]'`).

The rows are spooled as JSONL while the export runs (so it can be resumed) and converted here
in batches, so memory stays bounded however large the export. The schema comes from
`columns`: text is `string`, times `timestamp[ms, tz=UTC]` (whole seconds), counts `int32`,
flags `bool`, and a session's `events` and `nudges` lists of structs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from elnudge.export.columns import EVENT_FIELDS, NUDGE_FIELDS, Column, Kind, columns_for
from elnudge.export.files import ExportError

BATCH_ROWS = 50_000
MISSING = (
    "Parquet output needs pyarrow, an optional extra: pip install 'elnudge[parquet]' "
    "(or choose --format jsonl or csv)."
)


def require() -> None:
    """Fail early, before anything is fetched, when pyarrow is not installed."""
    try:
        import pyarrow  # noqa: F401
    except ImportError as error:
        raise ExportError(MISSING) from error


def schema(kind: str, with_events: bool) -> Any:
    """The pyarrow schema of an export (pyarrow is imported only here and in `convert`)."""
    import pyarrow as pa

    return pa.schema(
        [pa.field(c.name, _type(c), nullable=True) for c in columns_for(kind, with_events)]
    )


def _type(column: Column) -> Any:
    import pyarrow as pa

    nested = {Kind.EVENTS: EVENT_FIELDS, Kind.NUDGES: NUDGE_FIELDS}.get(column.kind)
    if nested is not None:
        return pa.list_(pa.struct([pa.field(f.name, _type(f)) for f in nested]))
    return {
        Kind.TEXT: pa.string(),
        Kind.TIME: pa.timestamp("ms", tz="UTC"),  # Parquet has no seconds unit
        Kind.COUNT: pa.int32(),
        Kind.FLAG: pa.bool_(),
    }[column.kind]


def convert(spool: Path, output: Path, kind: str, with_events: bool) -> None:
    """Write the JSONL spool's rows to a Parquet file, a row group per batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = schema(kind, with_events)
    columns = columns_for(kind, with_events)
    temporary = output.with_name(output.name + ".tmp")
    with pq.ParquetWriter(temporary, target) as writer:
        for batch in _batches(spool):
            values = {c.name: [_value(c, row.get(c.name)) for row in batch] for c in columns}
            writer.write_table(pa.Table.from_pydict(values, schema=target))
    temporary.replace(output)  # a complete file or none


def _batches(spool: Path) -> Iterator[list[dict[str, Any]]]:
    with spool.open("rb") as lines:
        while batch := [orjson.loads(line) for line in islice(lines, BATCH_ROWS)]:
            yield batch


def _value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind is Kind.TIME:
        return datetime.fromisoformat(value)
    if column.kind in (Kind.EVENTS, Kind.NUDGES):
        fields = EVENT_FIELDS if column.kind is Kind.EVENTS else NUDGE_FIELDS
        return [_struct(fields, item) for item in value]
    return value


def _struct(fields: Sequence[Column], item: dict[str, Any]) -> dict[str, Any]:
    return {field.name: _value(field, item.get(field.name)) for field in fields}
