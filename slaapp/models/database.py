"""Database location, engines (SQLite WAL or PostgreSQL), migrations with a backup first."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from slaapp.engine.errors import UserError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ENV_VAR = "SLAAPP_DB"


def newest_revision() -> str:
    """The newest migration's revision id: migrations are numbered `NNNN_what.py`, revision `NNNN`."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


class DatabaseError(UserError):
    """The database cannot be used: bad URL, unreachable server, newer schema than this app."""


def default_url() -> str:
    """The embedded SQLite file in the platform data directory."""
    folder = Path(platformdirs.user_data_dir("slaapp", appauthor=False))
    return f"sqlite:///{folder / 'slaapp.db'}"


def resolve_url(explicit: str | None = None) -> str:
    """--db, else SLAAPP_DB, else the embedded SQLite file."""
    return explicit or os.environ.get(ENV_VAR) or default_url()


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


class Database:
    """An engine and a session factory for one database URL; `migrate()` before use."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise DatabaseError(
                f"{self.url!r} is not a database URL (sqlite:///path or postgresql://...)"
            ) from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.path: Path | None = None
        options: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                self.path = Path(parsed.database)
                self.path.parent.mkdir(parents=True, exist_ok=True)
            options["connect_args"] = {"timeout": 30, "isolation_level": None}
        else:
            if parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
            options["pool_pre_ping"] = True
        try:
            self.engine: Engine = create_engine(parsed, **options)
        except NoSuchModuleError:
            raise DatabaseError(
                f"{self.display} uses an unsupported database; use sqlite:///path or postgresql://..."
            ) from None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def display(self) -> str:
        """The URL without its password."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    # ----- migrations -------------------------------------------------------------------
    def _config(self) -> Any:
        from alembic.config import Config  # alembic loads only when a migration runs

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    def revision(self) -> str | None:
        """The schema revision stored in the database (None for an empty database)."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return None if found is None else str(found)

    def head(self) -> str:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self._config()).get_current_head()
        assert head is not None
        return head

    def migrate(self) -> Path | None:
        """Bring the schema to the latest revision; returns the backup made first, if any."""
        try:
            current = self.revision()
        except Exception as exc:
            raise DatabaseError(f"cannot open the database {self.display}: {exc}") from exc
        if current is not None and current == newest_revision():
            return None  # the usual start: no need to load alembic at all
        from alembic import command
        from alembic.script import ScriptDirectory

        head = self.head()
        if current == head:
            return None
        scripts = ScriptDirectory.from_config(self._config())
        if current is not None and scripts.get_revision(current) is None:
            raise DatabaseError(
                f"the database {self.display} was written by a newer slaapp (schema {current}); update slaapp"
            )
        backup = self._backup(current) if current is not None else None
        config = self._config()
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        log.info("database %s migrated from %s to %s", self.display, current, head)
        return backup

    def _backup(self, revision: str) -> Path | None:
        """A consistent copy of the SQLite file (WAL included) before migrating it."""
        if self.path is None or not self.path.exists():
            return None
        target = self.path.with_name(
            f"{self.path.name}.{revision}.{time.strftime('%Y%m%d-%H%M%S')}.bak"
        )
        with sqlite3.connect(self.path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        log.info("backed up %s to %s before migrating", self.path, target)
        return target

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()


def open_database(url: str | None = None) -> Database:
    """A migrated database ready for use (a context manager that disposes it)."""
    database = Database(url)
    try:
        database.migrate()
    except BaseException:
        database.dispose()
        raise
    return database
