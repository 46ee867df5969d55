"""Alembic environment: runs online against the engine handed in by elnudge.db.migrate."""

from __future__ import annotations

from alembic import context

from elnudge.db import dialect
from elnudge.db.tables import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    connection = connection.execution_options(**{dialect.WRITE_OPTION: True})
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=lambda name, *_: name not in dialect.FULL_TEXT_OBJECTS,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
