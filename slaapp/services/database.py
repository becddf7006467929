"""The database handle the app, the CLI and the service hold and pass to every operation."""

from slaapp.models.database import Database, DatabaseError, default_url, open_database

__all__ = ["Database", "DatabaseError", "default_url", "open_database"]
