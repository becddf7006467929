"""Database location, engines (SQLite WAL or PostgreSQL), migrations with a backup first."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, ExceptionContext, make_url
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


class AccessDeniedError(DatabaseError):
    """Team mode: the database refused what this login's role may not do."""


INSUFFICIENT_PRIVILEGE = "42501"


def _refused(context: ExceptionContext) -> None:
    """A refusal (role or row-level security, SQLSTATE 42501) becomes an AccessDeniedError."""
    error = context.original_exception
    if getattr(error, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
        said = (str(error).strip().splitlines() or ["permission denied"])[0]
        raise AccessDeniedError(
            f"The database refused this for your login ({said}); "
            "ask a slaapp admin for a role that may do it."
        ) from error


def default_url() -> str:
    """The embedded SQLite file in the platform data directory."""
    folder = Path(platformdirs.user_data_dir("slaapp", appauthor=False))
    return f"sqlite:///{folder / 'slaapp.db'}"


def resolve_url(explicit: str | None = None) -> str:
    """--db, else SLAAPP_DB, else the embedded SQLite file."""
    return explicit or os.environ.get(ENV_VAR) or default_url()


LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", ""})


def _team_defaults(url: URL) -> dict[str, str]:
    """What a PostgreSQL URL gets unless it says otherwise: `application_name=slaapp` (the
    server's views name the app), and for a server on another machine `sslmode=verify-full`
    (TLS, the server's certificate and name checked) with the OS trust store when no CA file
    is given. The password comes from the URL, PGPASSWORD, ~/.pgpass or a service file."""
    query = dict(url.query)
    found: dict[str, str] = {}
    if "application_name" not in query:
        found["application_name"] = "slaapp"
    remote = (url.host or "") not in LOOPBACK and "service" not in query
    if remote and "sslmode" not in query:
        found["sslmode"] = "verify-full"
        if "sslrootcert" not in query and not (Path.home() / ".postgresql" / "root.crt").exists():
            found["sslrootcert"] = "system"
    return found


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """BEGIN, or BEGIN IMMEDIATE for a unit of work that claims rows (it waits for the write
    lock up front, so two processes never both read the same rows as free)."""
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _set_sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """Switch foreign keys on the driver connection itself, and check that it took.

    `PRAGMA foreign_keys` is a no-op inside a transaction, and every SQLAlchemy statement
    begins one here (`_sqlite_begin`), so the pragma goes straight to the driver.
    """
    if connection.in_transaction():
        raise RuntimeError("PRAGMA foreign_keys cannot change inside a transaction")
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        cursor.execute("PRAGMA foreign_keys")
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None or bool(row[0]) != on:
        raise RuntimeError(f"SQLite kept foreign keys {'off' if on else 'on'}")


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Foreign keys off for the block (a table rebuild drops the old table), on again after.

    With them on, rebuilding `records` would cascade-delete every event, clock and alert.
    A connection whose keys cannot be turned back on is dropped, never returned to the pool.
    """
    _set_sqlite_foreign_keys(connection, on=False)
    try:
        yield
    finally:
        try:
            _set_sqlite_foreign_keys(connection, on=True)
        except Exception:
            log.warning("foreign keys could not be turned back on; dropping the connection")
            connection.invalidate()


def dangling_references(connection: Connection) -> list[str]:
    """SQLite's `PRAGMA foreign_key_check`, one line per broken key: table, rows, what is missing."""
    rows: defaultdict[tuple[str, str, int], list[int | None]] = defaultdict(list)
    for table, rowid, parent, key_id in connection.exec_driver_sql("PRAGMA foreign_key_check"):
        rows[(str(table), str(parent), int(key_id))].append(rowid)
    found = []
    for (table, parent, key_id), rowids in sorted(rows.items()):
        quoted = table.replace('"', '""')
        pairs = [
            (str(key[3]), str(key[4]))  # (id, seq, table, from, to, ...)
            for key in connection.exec_driver_sql(f'PRAGMA foreign_key_list("{quoted}")')
            if int(key[0]) == key_id
        ]
        columns = ", ".join(f"{table}.{column}" for column, _ in pairs)
        targets = ", ".join(f"{parent}.{target}" for _, target in pairs)
        sample = ", ".join(str(rowid) for rowid in rowids[:5]) + (
            ", ..." if len(rowids) > 5 else ""
        )
        rows_of = f"{len(rowids)} row{'' if len(rowids) == 1 else 's'} of {table}"
        found.append(f"{rows_of} (rowid {sample}): {columns} points at no {targets}")
    return found


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
            parsed = parsed.update_query_dict(_team_defaults(parsed), append=False)
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
        else:  # team mode: what the login's role may not do is refused in plain words
            event.listen(self.engine, "handle_error", _refused)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def display(self) -> str:
        """The URL without its password."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self, *, immediate: bool = False) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error.

        `immediate` takes SQLite's write lock at the start (PostgreSQL locks rows instead).
        """
        with self.sessions() as session, session.begin():
            if immediate and self.is_sqlite:
                session.connection(execution_options={"sqlite_immediate": True})
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
        with self.engine.connect() as connection:
            fk_off = _sqlite_foreign_keys_off(connection) if self.is_sqlite else nullcontext()
            with fk_off, connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if self.is_sqlite:
                    self._refuse_dangling_references(connection, current, head, backup)
                    _restore_triggers(connection)
        log.info("database %s migrated from %s to %s", self.display, current, head)
        return backup

    def _refuse_dangling_references(
        self, connection: Connection, current: str | None, head: str, backup: Path | None
    ) -> None:
        """Raise (rolling the migration back) if it left rows pointing at rows that are gone."""
        found = dangling_references(connection)
        if not found:
            return
        kept = f"; a copy from before is at {backup}" if backup is not None else ""
        raise DatabaseError(
            f"migrating {self.display} from schema {current or 'empty'} to {head} would leave "
            f"rows pointing at rows that do not exist: {'; '.join(found)}. The migration was "
            f"rolled back and the database is unchanged{kept}; please report this to the "
            "slaapp developers"
        )

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


def _restore_triggers(connection: Connection) -> None:
    """Put back the triggers a SQLite table rebuild dropped with the old table (clock_days)."""
    from slaapp.models.clock_days import create_triggers, missing_triggers

    if "clock_days" in inspect(connection).get_table_names():
        missing = missing_triggers(connection)
        if missing:
            log.warning("restoring triggers a table rebuild dropped: %s", ", ".join(missing))
            create_triggers(connection, missing)
