"""PostgreSQL bulk loads: COPY ... FROM STDIN; a first load builds indexes and checks keys once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

_FIRST_LOAD = """
WITH loaded AS (
    SELECT c.oid, c.oid::regclass::text AS name,
           NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.confrelid = c.oid) AS unreferenced
    FROM pg_class c
    WHERE c.oid = to_regclass(%s) AND pg_relation_size(c.oid) = 0
      AND pg_has_role(c.relowner, 'USAGE') AND NOT EXISTS (
          SELECT 1 FROM pg_constraint f JOIN pg_class r ON r.oid = f.confrelid
          WHERE f.conrelid = c.oid AND f.contype = 'f' AND NOT pg_has_role(r.relowner, 'USAGE'))
)
SELECT CASE con.contype WHEN 'f' THEN 2 ELSE 0 END,
       format('ALTER TABLE %%s DROP CONSTRAINT %%I', t.name, con.conname),
       format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', t.name, con.conname,
              pg_get_constraintdef(con.oid)),
       CASE con.contype WHEN 'f' THEN con.confrelid::regclass::text END
FROM loaded t JOIN pg_constraint con ON con.conrelid = t.oid
WHERE con.contype = 'f' OR (con.contype IN ('p', 'u') AND t.unreferenced)
UNION ALL
SELECT 1, format('DROP INDEX %%s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid), NULL
FROM loaded t JOIN pg_index i ON i.indrelid = t.oid
WHERE t.unreferenced AND NOT EXISTS (
    SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = t.oid
)
ORDER BY 1, 2
"""
"""For a table that has never held a row and that the login owns, what a load sets aside:
(order to add back, statement dropping it, statement adding it back, table a key refers to).
Its foreign keys (when it owns the tables they refer to as well); its primary key, unique
constraints and indexes when no foreign key refers to it. Nothing for any other table."""


def copy_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY ... FROM STDIN through psycopg, in the session's transaction: one statement, the
    rows streamed while the server stores them (no round trip per row or per batch).

    A first load into a table (see `_set_aside`) builds its indexes after the COPY and checks
    its keys once over every row, as the PostgreSQL manual advises for populating a database.
    Returns the rows stored.
    """
    driver = connection.connection.driver_connection
    assert driver is not None
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    try:
        with driver.cursor() as cursor:
            restore = _set_aside(cursor, table.name)
            count = _copy(cursor, statement, rows)
            for add in restore:  # a duplicate or a missing record raises here, as in the COPY
                cursor.execute(add)
    except psycopg.Error as exc:  # as SQLAlchemy would raise it (IntegrityError, OperationalError)
        raise DBAPIError.instance(
            statement, None, exc, psycopg.Error, dialect=connection.dialect
        ) from exc
    return count


def _copy(cursor: psycopg.Cursor[Any], statement: str, rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _set_aside(cursor: psycopg.Cursor[Any], table: str) -> list[str]:
    """Drop what `_FIRST_LOAD` finds for the table; the statements that add it back, in order.

    Nothing is dropped unless the table and the tables its keys refer to are locked at once
    (NOWAIT: an import never waits for nor deadlocks with another session; when one holds a
    lock, the load keeps every index and key). The locks last until the transaction ends, so
    nobody reads or writes the table meanwhile, and nothing is committed unchecked: the
    statements adding everything back check every row, and any error rolls the drop back.
    """
    found: list[tuple[int, str, str, str | None]] = cursor.execute(_FIRST_LOAD, (table,)).fetchall()
    if not found or not _locked(cursor, sorted({row[3] for row in found if row[3]}), table):
        return []
    for _, drop, _, _ in found:
        cursor.execute(drop)
    return [add for _, _, add, _ in found]


def _locked(cursor: psycopg.Cursor[Any], referenced: list[str], table: str) -> bool:
    """Whether the tables are now locked ACCESS EXCLUSIVE, without waiting for anyone."""
    names = [*(sql.SQL(name) for name in referenced), sql.Identifier(table)]  # regclass: quoted
    cursor.execute("SAVEPOINT slaapp_first_load")
    try:
        cursor.execute(
            sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE NOWAIT").format(
                sql.SQL(", ").join(names)
            )
        )
    except (psycopg.errors.LockNotAvailable, psycopg.errors.InsufficientPrivilege):
        cursor.execute("ROLLBACK TO SAVEPOINT slaapp_first_load")
        return False
    cursor.execute("RELEASE SAVEPOINT slaapp_first_load")  # the locks stay with the transaction
    return True
