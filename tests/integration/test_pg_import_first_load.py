"""A first PostgreSQL load builds indexes and checks keys after its COPY: same rows, same schema."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from slaapp.models import pg_load
from slaapp.models.bulk import insert_rows
from slaapp.models.database import Database
from slaapp.models.ingest import EVENT_COLUMNS, EVENTS, RECORD_COLUMNS, RECORDS
from slaapp.services.store import store_log
from tests.integration.team_fixtures import Team, add_people, team_fixture  # noqa: F401

from .conftest import PG_URL
from .test_pg_import_copy import RECORDS as COUNT
from .test_pg_import_copy import T0, H, _log, _store, _stored, both

__all__ = ["both"]  # the fixture of both engines, shared with the COPY tests

SCHEMA = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid IN ('records'::regclass, 'events'::regclass, 'clocks'::regclass)
UNION ALL
SELECT tablename, indexname, indexdef FROM pg_indexes
WHERE tablename IN ('records', 'events', 'clocks')
"""
KEYS = """
SELECT oid FROM pg_constraint
WHERE conname IN ('fk_events_record_id_records', 'fk_clocks_record_id_records') ORDER BY conname
"""


def _catalog(database: Database, query: str) -> list[tuple[object, ...]]:
    with database.session() as session:
        return sorted(tuple(row) for row in session.execute(text(query)))


@pytest.fixture
def reader() -> Iterator[psycopg.Connection]:
    """Another session in the middle of a transaction that read the records table."""
    with psycopg.connect(PG_URL) as connection:
        connection.execute("SELECT count(*) FROM records")
        yield connection
        connection.rollback()


def test_a_first_load_stores_the_same_rows_and_puts_back_the_same_schema(both) -> None:
    sqlite, postgres = both
    schema, keys = _catalog(postgres, SCHEMA), _catalog(postgres, KEYS)
    log = _log(0, COUNT)
    assert _store(sqlite, log, T0 + 10 * H) == _store(postgres, log, T0 + 10 * H)
    assert _stored(sqlite) == _stored(postgres)
    assert _catalog(postgres, SCHEMA) == schema  # every key and index as it was
    assert _catalog(postgres, KEYS) != keys  # added back: the first-load path ran
    keys = _catalog(postgres, KEYS)
    later = _log(600, COUNT, owner="bob", extra=True)  # tables with rows: checked row by row
    assert _store(sqlite, later, T0 + 12 * H) == _store(postgres, later, T0 + 12 * H)
    assert _stored(sqlite) == _stored(postgres)
    assert _catalog(postgres, KEYS) == keys


def test_a_load_never_waits_for_another_session_it_checks_row_by_row(both, reader) -> None:
    sqlite, postgres = both
    keys, log = _catalog(postgres, KEYS), _log(0, COUNT)
    assert _store(sqlite, log, T0 + 10 * H) == _store(postgres, log, T0 + 10 * H)
    assert _stored(sqlite) == _stored(postgres)
    assert _catalog(postgres, KEYS) == keys  # the records table was in use: nothing dropped


@pytest.mark.parametrize("record", [999, 1], ids=["missing record", "duplicate event"])
def test_a_first_load_of_bad_rows_raises_and_keeps_the_schema(both, record, monkeypatch) -> None:
    _, postgres = both
    schema, set_aside, original = _catalog(postgres, SCHEMA), [], pg_load._set_aside

    def spy(cursor: psycopg.Cursor, table: str) -> list[str]:
        set_aside.append(original(cursor, table))
        return set_aside[-1]

    monkeypatch.setattr(pg_load, "_set_aside", spy)
    event = (record, "mql", T0, 1, None, None, "crm", None, T0)
    with pytest.raises(IntegrityError), postgres.session() as session:
        insert_rows(session, RECORDS, ("id", *RECORD_COLUMNS),
                    [(1, "crm", "R1", "lead", "R1", None, "{}", T0, T0)])  # fmt: skip
        insert_rows(session, EVENTS, EVENT_COLUMNS, [event, event] if record == 1 else [event])
    assert set_aside[0] == [] and len(set_aside[1]) == 4  # records kept; events: 3 indexes, 1 key
    assert _catalog(postgres, SCHEMA) == schema
    assert _stored(postgres) == {"records": [], "events": [], "clocks": []}


def test_a_login_that_does_not_own_the_tables_loads_them_with_every_key_kept(team: Team) -> None:
    add_people(team.owner, ("mia", "manager"))
    team.grant("mia", "manager")
    keys = _catalog(team.owner, KEYS)
    result = store_log(team.as_person("mia"), _log(0, 50), source="crm", at=T0 + 10 * H)
    assert (result.ingested.events_added, result.ingested.records_added) == (110, 50)
    assert result.clocks > 0
    assert _catalog(team.owner, KEYS) == keys  # a manager may write rows, never drop a key
