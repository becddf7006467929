"""Bulk helpers: chunked IN queries, key lists joined in one query, and fast inserts per dialect."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import ARRAY, Row, Select, String, Table, bindparam, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
CHUNK = 900
BATCH = 20_000


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Slices short enough for an IN (...) list on every database."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def is_postgresql(session: Session) -> bool:
    """PostgreSQL takes COPY and key arrays; every other database the portable statements."""
    return session.get_bind().dialect.name == "postgresql"


def rows_with_keys(
    session: Session,
    query: Select[*Ts],
    column: InstrumentedAttribute[Any],
    keys: Sequence[Any],
) -> list[Row[*Ts]]:
    """The rows of `query` whose `column` is one of `keys`, in one statement with one parameter.

    SQLite: IN the keys as a JSON array (no statement per 900 keys, no parameter per key).
    PostgreSQL: a join to the keys as an array, which the planner hashes: a long IN list over
    a table it has no statistics for yet (rows written earlier in the same transaction) is
    compared key by key with every row.
    """
    if not keys:
        return []
    if not is_postgresql(session):
        listed = bindparam("bulk_keys", json.dumps(list(keys)), type_=String())
        found = func.json_each(listed).table_valued("value")
        return list(session.execute(query.where(column.in_(select(found.c.value)))).all())
    array = bindparam("bulk_keys", list(keys), type_=ARRAY(column.type))
    wanted = func.unnest(array).table_valued("key").render_derived(name="wanted")
    return list(session.execute(query.join(wanted, column == wanted.c.key)).all())


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert tuples in bulk (JSON pre-encoded): COPY on PostgreSQL, executemany on SQLite.

    `rows` may be a generator: PostgreSQL stores the rows sent while later ones are made.
    Returns how many rows were inserted.
    """
    connection = session.connection()
    if is_postgresql(session):
        return _copy_rows(connection, table, columns, rows)
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(columns)
    values = ", ".join([marker] * len(columns))
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({values})"
    count = 0
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            connection.exec_driver_sql(statement, batch)
            count += len(batch)
            batch = []
    if batch:
        connection.exec_driver_sql(statement, batch)
    return count + len(batch)


def _copy_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY ... FROM STDIN through psycopg, in the session's transaction: one statement, the
    rows streamed while the server stores them (no round trip per row or per batch)."""
    import psycopg  # only PostgreSQL loads the driver

    driver = connection.connection.driver_connection
    assert driver is not None
    names = ", ".join(columns)
    statement = f"COPY {table.name} ({names}) FROM STDIN"
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            count = 0
            for row in rows:
                copy.write_row(row)
                count += 1
    except psycopg.Error as exc:  # as SQLAlchemy would raise it (IntegrityError, OperationalError)
        raise DBAPIError.instance(
            statement, None, exc, psycopg.Error, dialect=connection.dialect
        ) from exc
    return count
