"""`slaapp import` of one event file into PostgreSQL (COPY) and into SQLite, in the same run."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from benchmarks import Summary, line, rate, timed
from benchmarks.bench_evaluate_cli import log_with_events, write_csv
from benchmarks.bench_store import fresh_database, import_file
from benchmarks.synthetic_log import AS_OF, MATRIX
from slaapp.importers.matrix_file import load_matrix
from slaapp.models import bulk, evaluation, ingest
from slaapp.models.database import Database
from slaapp.models.matrices import publish
from slaapp.models.tables import Base

ENV = ("SLAAPP_BENCH_PG", "SLAAPP_TEST_PG")
COMPARED = {
    "records": "id, external_id, kind, name, owner, attributes::text, created_at",
    "events": "id, record_id, name, occurred_at, occurrence, owner, attributes::text, raw",
    "clocks": "record_id, handoff, cycle, version, segment, team, owner, started_at, stopped_at, "
    "due_at, target_seconds, elapsed_seconds, status, is_open, quality_ok",
}


def postgres_url() -> tuple[str | None, str]:
    """The PostgreSQL database the benchmark may empty, or None and why not."""
    url = next((os.environ[name] for name in ENV if os.environ.get(name)), None)
    if url is None:
        return None, f"set {' or '.join(ENV)} to a PostgreSQL database it may empty"
    try:
        empty_postgres(url)
    except Exception as exc:  # no server: the benchmark says so and goes on
        return None, f"PostgreSQL not reachable at {url.split('@')[-1]} ({type(exc).__name__})"
    return url, ""


def empty_postgres(url: str) -> None:
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        database.dispose()


def fresh_postgres(url: str) -> Database:
    """The PostgreSQL database emptied, migrated, with the default matrix published."""
    empty_postgres(url)
    database = Database(url)
    database.migrate()
    with database.session() as session:
        publish(session, load_matrix(MATRIX), author="bench", now=AS_OF, base_version=None,
                effective_from=0)  # fmt: skip
    return database


USED = (
    "INSERT INTO records (id, source, external_id, kind, name, attributes, created_at, updated_at) "
    "VALUES (0, 'bench', 'used', 'lead', 'used', '{}', 0, 0)",
    "INSERT INTO events (id, record_id, name, occurred_at, occurrence, source, ingested_at) "
    "VALUES (0, 0, 'used', 0, 1, 'bench', 0)",
    "INSERT INTO clocks (id, record_id, handoff, cycle, version, segment, team, started_at, "
    "target_seconds, elapsed_seconds, paused_seconds, pct_elapsed, status, is_open, evaluated_at) "
    "VALUES (0, 0, 'used', 1, 1, 'used', '', 0, 0, 0, 0, 0, 'met', false, 0)",
    "DELETE FROM records",  # the events and clocks go with it; no sequence moved
)


def used_postgres(url: str) -> Database:
    """`fresh_postgres` whose records, events and clocks once held a row: no first load there,
    so the import keeps every index and checks its keys row by row."""
    database = fresh_postgres(url)
    with database.engine.begin() as connection:
        for statement in USED:
            connection.exec_driver_sql(statement)
    return database


def _executemany(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[Any]
) -> int:
    """Before: `insert_rows` as executemany of 20,000 tuples (psycopg pipelines them)."""
    connection, rows = session.connection(), list(rows)
    marks = ", ".join(["%s"] * len(columns))
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    for part in bulk.chunks(rows, 20_000):
        connection.exec_driver_sql(statement, list(part))
    return len(rows)


def _in_lists(session: Session, query: Any, column: Any, keys: Sequence[Any]) -> list[Any]:
    """Before: a statement per 900 keys, `column IN (...)`."""
    found: list[Any] = []
    for part in bulk.chunks(keys):
        found += session.execute(query.where(column.in_(part))).all()
    return found


@contextmanager
def executemany_path() -> Iterator[None]:
    """The path PostgreSQL imports took before COPY: executemany and IN lists of 900 keys."""
    with (
        mock.patch.object(ingest, "insert_rows", _executemany),
        mock.patch.object(evaluation, "insert_rows", _executemany),
        mock.patch.object(ingest, "rows_with_keys", _in_lists),
    ):
        yield


def stored(database: Database) -> dict[str, list[tuple[object, ...]]]:
    """The rows an import stored, in key order, as comparable text across engines."""
    found = {}
    with database.engine.connect() as connection:
        for table, columns in COMPARED.items():
            if database.is_sqlite:
                columns = columns.replace("::text", "")
            order = "record_id, handoff, cycle" if table == "clocks" else "id"
            rows = connection.exec_driver_sql(f"SELECT {columns} FROM {table} ORDER BY {order}")
            found[table] = [tuple(row) for row in rows]
    return found


def run(sizes: tuple[int, ...] = (90_000,), before: bool = False) -> list[Summary]:
    """Each size imported into PostgreSQL and SQLite; `before`: at the largest size, into tables
    that held rows (keys checked row by row), and the executemany path at 90,000."""
    print("\n== import into PostgreSQL (COPY) against SQLite: the same event file, `slaapp import`")
    url, why = postgres_url()
    if url is None:
        print(f"  skipped: {why}")
        return []
    summaries = []
    with tempfile.TemporaryDirectory() as folder:
        line("", "PostgreSQL s", "SQLite s", "PG events/s", "SQLite/PG")
        for size in sizes:
            path = Path(folder) / f"events-{size}.csv"
            write_csv(log_with_events(size), path)
            lite = fresh_database(Path(folder) / f"slaapp-{size}.db")
            sqlite, (lite_stages, events, _) = timed(partial(import_file, lite, path))
            postgres = fresh_postgres(url)
            pg, (pg_stages, _, clocks) = timed(partial(import_file, postgres, path))
            same = stored(lite) == stored(postgres)
            lite.dispose()
            postgres.dispose()
            line(f"{events:,} events, {clocks:,} clocks", f"{pg:.2f}", f"{sqlite:.2f}",
                 rate(events, pg), f"{sqlite / pg:.2f}x")  # fmt: skip
            for stage in pg_stages:
                line(f"  {stage}", f"{pg_stages[stage]:.2f}", f"{lite_stages[stage]:.2f}", "", "")
            line("  commit", f"{pg - sum(pg_stages.values()):.2f}",
                 f"{sqlite - sum(lite_stages.values()):.2f}", "", "")  # fmt: skip
            if not same:
                print("  MISMATCH: PostgreSQL stored other rows than SQLite")
            summaries.append(
                Summary(f"import {size // 1000}k events (PostgreSQL)", f"{pg:.2f} s",
                        f"{sqlite:.2f} s (SQLite)", sqlite / pg, "<= SQLite", pg <= sqlite, same)
            )  # fmt: skip
        if before:
            summaries.append(_used(url, Path(folder), max(sizes), lite_seconds=sqlite))
            summaries.append(_before(url, Path(folder), 90_000))
    return summaries


def _used(url: str, folder: Path, size: int, lite_seconds: float) -> Summary:
    """The same import into PostgreSQL tables that once held a row, against SQLite's in `run`."""
    lite = Database(f"sqlite:///{folder / f'slaapp-{size}.db'}")  # what SQLite stored there
    postgres = used_postgres(url)
    seconds, _ = timed(lambda: import_file(postgres, folder / f"events-{size}.csv"))
    same = stored(lite) == stored(postgres)
    lite.dispose()
    postgres.dispose()
    line(f"PostgreSQL {size // 1000}k, tables that held rows", f"{seconds:.2f}",
         f"{lite_seconds:.2f}", "", f"{lite_seconds / seconds:.2f}x")  # fmt: skip
    if not same:
        print("  MISMATCH: PostgreSQL stored other rows than SQLite")
    return Summary(f"import {size // 1000}k events (PostgreSQL, tables that held rows)",
                   f"{seconds:.2f} s", f"{lite_seconds:.2f} s (SQLite)", lite_seconds / seconds,
                   "", None, same)  # fmt: skip


def _before(url: str, folder: Path, size: int) -> Summary:
    """The same import on PostgreSQL through the old executemany path, against COPY."""
    path = folder / f"events-{size}.csv"
    if not path.exists():
        write_csv(log_with_events(size), path)
    postgres = fresh_postgres(url)
    copy, _ = timed(lambda: import_file(postgres, path))
    postgres.dispose()
    postgres = fresh_postgres(url)
    with executemany_path():
        old, _ = timed(lambda: import_file(postgres, path))
    postgres.dispose()
    line(f"PostgreSQL {size:,} events, before: executemany", f"{old:.2f}", "", "",
         f"{old / copy:.0f}x")  # fmt: skip
    return Summary(f"import {size // 1000}k events (PostgreSQL), COPY vs executemany",
                   f"{copy:.2f} s", f"{old:.2f} s", old / copy, "", None)  # fmt: skip


if __name__ == "__main__":
    run(sizes=(90_000, 300_000), before=True)
