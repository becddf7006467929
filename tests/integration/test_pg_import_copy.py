"""Imports store identical rows on SQLite and PostgreSQL (COPY there), re-import and failure alike."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from slaapp.engine.eventlog import EventLog, EventRow, event_log
from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import Database
from slaapp.models.ingest import ingest_log
from slaapp.models.matrices import publish
from slaapp.models.tables import Record
from slaapp.services.store import store_log

from .conftest import PG_URL, _reset_postgres

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
H = 3600
RECORDS = 1_250  # more than one IN chunk (900) of keys
COLUMNS = {
    "records": "id, source, external_id, kind, name, owner, attributes, created_at, updated_at",
    "events": "id, record_id, name, occurred_at, occurrence, owner, attributes, source, raw, "
    "ingested_at",
    "clocks": "record_id, handoff, cycle, version, segment, team, owner, started_at, stopped_at, "
    "due_at, target_seconds, elapsed_seconds, paused_seconds, pct_elapsed, status, is_open, "
    "quality_ok, evaluated_at",
}


def _rows(first: int, count: int, owner: str, extra: bool) -> Iterator[EventRow]:
    for n in range(first, first + count):
        code = f"R{n:05d}" if n % 100 else f'R{n:05d} "é", \\ x'  # keys as JSON and arrays
        tier = {"tier": "Enterprise" if n % 3 == 0 else "SMB", "note": 'quote " tab\t\\ é'}
        yield EventRow(code, "mql", T0 + n, None, tier)
        yield EventRow(code, "assigned", T0 + n + H, owner if n % 4 else None, {})
        if n % 5 == 0:  # two reads of one event (a CRM batch's log merges them)
            yield EventRow(code, "first_contact", T0 + n + 2 * H, owner, {"channel": "call"})
            yield EventRow(code, "first_contact", T0 + n + 2 * H, owner, {"channel": "mail"})
        if extra:
            yield EventRow(code, "sql", T0 + n + 3 * H, owner, {"amount": str(n)})


def _log(first: int, count: int, owner: str = "ann", extra: bool = False) -> EventLog:
    return event_log(_rows(first, count, owner, extra))


def _database(url: str) -> Database:
    database = Database(url)
    database.migrate()
    with database.session() as session:
        publish(
            session, load_matrix(DEFAULT_MATRIX), author="test", now=T0, base_version=None,
            effective_from=0,
        )  # fmt: skip
    return database


@pytest.fixture
def both(tmp_path) -> Iterator[tuple[Database, Database]]:
    try:
        _reset_postgres(PG_URL)
    except Exception as exc:  # no server here: say so instead of failing
        pytest.skip(f"PostgreSQL not reachable at {PG_URL.split('@')[-1]} ({type(exc).__name__})")
    sqlite, postgres = _database(f"sqlite:///{tmp_path / 'slaapp.db'}"), _database(PG_URL)
    yield sqlite, postgres
    sqlite.dispose()
    postgres.dispose()


def _stored(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of records, events and clocks in key order, JSON decoded."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with database.session() as session:
        for table, columns in COLUMNS.items():
            order = "record_id, handoff, cycle" if table == "clocks" else "id"
            rows = session.execute(text(f"SELECT {columns} FROM {table} ORDER BY {order}")).all()
            found[table] = [
                tuple(json.loads(v) if isinstance(v, str) and v[:1] == "{" else v for v in row)
                for row in rows
            ]
    return found


def _store(database: Database, log: EventLog, at: int) -> tuple[int, ...]:
    result = store_log(database, log, source="crm", at=at)
    i = result.ingested
    return (i.records_added, i.records_updated, i.events_added, i.events_updated,
            i.events_unchanged, result.clocks)  # fmt: skip


def test_import_reimport_and_update_store_the_same_rows_on_both_engines(both) -> None:
    sqlite, postgres = both
    steps = [
        (_log(0, RECORDS), T0 + 10 * H),  # new records only
        (_log(0, RECORDS), T0 + 11 * H),  # the same file again: nothing changes
        (_log(600, RECORDS, owner="bob", extra=True), T0 + 12 * H),  # new, updated, unchanged
    ]
    for log, at in steps:
        counts = [_store(database, log, at) for database in (sqlite, postgres)]
        assert counts[0] == counts[1]
        assert _stored(sqlite) == _stored(postgres)
    assert counts[0][:5] == (600, 650, 600 * 3 + 120 + 650, 487 + 130, 650 + 163)
    stored = _stored(postgres)
    assert len(stored["records"]) == RECORDS + 600
    assert stored["events"][0][6] == {"tier": "Enterprise", "note": 'quote " tab\t\\ é'}


def test_a_failing_copy_stores_nothing_and_raises_the_usual_database_error(both) -> None:
    _, postgres = both
    bad = event_log([*_rows(0, 950, "ann", False), EventRow("R99999", "x" * 65, T0, None, {})])
    with pytest.raises(DBAPIError), postgres.session() as session:
        ingest_log(session, bad, source="crm", now=T0)  # event names are at most 64 characters
    with postgres.session() as session:
        assert session.scalars(select(Record.id)).all() == []
        assert session.execute(text("SELECT count(*) FROM events")).scalar() == 0
    _store(postgres, _log(0, 10), T0 + H)  # the connection is usable again
    assert len(_stored(postgres)["records"]) == 10


def test_simultaneous_imports_into_postgresql_all_land(both) -> None:
    _, first = both
    databases = [first, *(Database(PG_URL) for _ in range(3))]
    barrier = threading.Barrier(len(databases))
    errors: list[BaseException] = []

    def store(database: Database, n: int) -> None:
        try:
            barrier.wait()
            store_log(database, _log(n * RECORDS, RECORDS), source="crm", at=T0 + 10 * H)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=store, args=(db, n)) for n, db in enumerate(databases)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = _stored(first)
    assert len(stored["records"]) == len({row[2] for row in stored["records"]}) == 4 * RECORDS
    assert len(stored["events"]) == 4 * (RECORDS * 2 + RECORDS // 5)
    for database in databases[1:]:
        database.dispose()
