"""Bulk helpers: chunked IN queries and dialect-aware INSERT ... ON CONFLICT."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.orm import Session

T = TypeVar("T")
CHUNK = 900


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Slices short enough for an IN (...) list on every database."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Plain DBAPI executemany of tuples: the fast path for large inserts (JSON pre-encoded)."""
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(columns)
    values = ", ".join([marker] * len(columns))
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({values})"
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 20_000:
            connection.exec_driver_sql(statement, batch)
            batch = []
    if batch:
        connection.exec_driver_sql(statement, batch)
