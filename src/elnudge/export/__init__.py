"""`elnudge export`: sessions or nudges out of any elNudge server, through the API.

- `columns`: what each format holds, per kind (the CSV header and the Parquet schema);
- `files`: the output file, its resume state beside it, and the writers (JSONL, CSV, and
  Parquet converted at the end from a JSONL spool);
- `runner`: the walk — pages, optional session details, checkpoints, progress.

Resuming: after each page the rows are flushed to the file, then a line appended to the state
log (`FILE.export-state.jsonl`) records the page's `next_cursor`, the row count and the file's
length. A killed export leaves at most a partial page past the recorded length (and perhaps a
cut-off last line in the log, which is ignored); `--resume` cuts the file back to that length
and continues from the cursor, so no row is written twice or skipped. The API's cursor carries
the query's window, so the resumed walk is the same query. When the export finishes the state
log is removed.
"""

from elnudge.export.runner import ExportSpec, run_export

__all__ = ["ExportSpec", "run_export"]
