"""Bulk helpers: chunked IN queries, key lists joined in one query, and fast inserts per dialect."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import (
    JSON,
    BindParameter,
    ColumnElement,
    Row,
    Select,
    String,
    Table,
    bindparam,
    cast,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.selectable import TableValuedAlias

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
CHUNK = 900


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Slices short enough for an IN (...) list on every database."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def placeholder(connection: Connection) -> str:
    """How the connection's driver marks a parameter in SQL text: `?` or `%s`."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


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
    PostgreSQL: a join to the keys (a JSON array too, which psycopg sends faster than an array
    of as many values), planned as a join: a long IN list over a table it has no statistics for
    yet (rows written earlier in the same transaction) is compared key by key with every row.
    """
    if not keys:
        return []
    if not is_postgresql(session):
        found = func.json_each(_listed(keys)).table_valued("value")
        return list(session.execute(query.where(column.in_(select(found.c.value)))).all())
    return list(session.execute(query.join(*_wanted(column, keys))).all())


def key_criteria(session: Session, column: Any, keys: Sequence[Any]) -> list[ColumnElement[bool]]:
    """WHERE criteria that together match `column` to `keys`, one statement each.

    PostgreSQL: one criterion joining the keys (an UPDATE ... FROM or a DELETE ... USING, no
    statement per 900 keys); other databases: `column IN (...)` per 900 keys.
    """
    if not keys:
        return []
    if not is_postgresql(session):
        return [column.in_(part) for part in chunks(keys)]
    return [_wanted(column, keys)[1]]


def _listed(keys: Sequence[Any]) -> BindParameter[str]:
    """The keys as one JSON array parameter."""
    return bindparam("bulk_keys", json.dumps(list(keys)), type_=String())


def _wanted(column: Any, keys: Sequence[Any]) -> tuple[TableValuedAlias, ColumnElement[bool]]:
    """PostgreSQL: the keys as a table `wanted(value)`, and `column` equal to one of them."""
    elements = func.json_array_elements_text(cast(_listed(keys), JSON))
    wanted = elements.table_valued("value").render_derived(name="wanted")
    return wanted, column == cast(wanted.c.value, column.type)


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """PostgreSQL: `count` new ids of `table` from its sequence, ascending, as its default gives."""
    sequence = text(
        "SELECT array_agg(nextval((SELECT pg_get_serial_sequence(:table, 'id')::regclass))) "
        "FROM generate_series(1, :count)"
    )
    return sorted(session.scalar(sequence, {"table": table.name, "count": count}) or [])


def _variables(connection: Connection) -> int:
    """How many parameters one SQLite statement may hold (999 before SQLite 3.32)."""
    driver = connection.connection.driver_connection
    limit = getattr(driver, "getlimit", None)
    return int(limit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) if limit is not None else 999


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert tuples in bulk (JSON pre-encoded): COPY on PostgreSQL, many rows a statement on SQLite.

    `rows` may be a generator: PostgreSQL stores the rows sent while later ones are made.
    Returns how many rows were inserted.
    """
    connection = session.connection()
    if is_postgresql(session):
        from slaapp.models.pg_load import copy_rows  # only PostgreSQL loads the driver

        return copy_rows(connection, table, columns, rows)
    names = ", ".join(columns)
    one = f"({', '.join('?' * len(columns))})"
    # Many rows per statement: SQLite starts a statement journal for each statement that
    # fires triggers (clock_days), so one row per statement would cost that per row.
    per = max(1, min(2_000, _variables(connection) // len(columns)))
    full = f"INSERT INTO {table.name} ({names}) VALUES {', '.join([one] * per)}"
    count = 0
    batch: list[Any] = []
    for row in rows:
        batch.extend(row)
        if len(batch) == per * len(columns):
            connection.exec_driver_sql(full, tuple(batch))
            count += per
            batch = []
    if batch:
        left = len(batch) // len(columns)
        last = f"INSERT INTO {table.name} ({names}) VALUES {', '.join([one] * left)}"
        connection.exec_driver_sql(last, tuple(batch))
        count += left
    return count
