"""Alembic environment: runs on the connection slaapp hands over (SQLite in batch mode, keys off)."""

from __future__ import annotations

from alembic import context

from slaapp.models.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("slaapp runs its migrations through slaapp.models.database.migrate()")
is_sqlite = connection.dialect.name == "sqlite"
if is_sqlite and connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
    # A batch migration copies a table, drops it and renames the copy: with foreign keys on,
    # the drop cascades (rebuilding `records` would delete every event, clock and alert).
    raise RuntimeError(
        "SQLite migrations need foreign keys off; run them through "
        "slaapp.models.database.Database.migrate(), which also checks the keys afterwards"
    )
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=is_sqlite,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
