"""Alembic revisions, applied in order on start."""
