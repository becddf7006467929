"""Alembic environment: runs on the connection slaapp hands over (SQLite in batch mode)."""

from __future__ import annotations

from alembic import context

from slaapp.models.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("slaapp runs its migrations through slaapp.models.database.migrate()")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
