"""Alembic migrations of the slaapp database."""
