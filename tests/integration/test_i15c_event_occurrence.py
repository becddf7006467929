"""Migration 0007 and the import key (record, event, instant, occurrence), on SQLite and PostgreSQL."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from slaapp.engine.eventlog import EventRow, event_log
from slaapp.models import database as database_module
from slaapp.models.database import Database
from slaapp.models.ingest import ingest_log
from slaapp.models.tables import Base, Event, Record
from slaapp.sync.deletions import merge_records

NEW_KEY = "uq_events_record_id_name_occurred_at_occurrence"
T1, T2 = 1_772_471_137, 1_772_480_000  # 2026-03-02 17:05:37Z and a little later
RECORD = text(
    "INSERT INTO records (source, external_id, kind, name, owner, attributes, created_at, "
    "updated_at) VALUES ('file', :ext, 'deal', :ext, 'ana', '{}', 1, 1)"
)
EVENT = text(
    "INSERT INTO events (record_id, name, occurred_at, owner, attributes, source, raw, "
    "ingested_at) VALUES (:record, :name, :at, 'ana', :attributes, 'file', NULL, 1)"
)


def _to(database: Database, revision: str, *, down: bool = False) -> None:
    """Run the migrations to `revision` as `Database.migrate` does (SQLite: foreign keys off)."""
    config = database._config()
    with database.engine.connect() as connection:
        fk_off = (
            database_module._sqlite_foreign_keys_off(connection)
            if database.is_sqlite
            else nullcontext()
        )
        with fk_off, connection.begin():
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)


def _events(database: Database) -> list[tuple[Any, ...]]:
    with database.session() as session:
        rows = session.execute(
            select(Record.external_id, Event.name, Event.occurred_at, Event.occurrence, Event.owner)
            .join(Record, Record.id == Event.record_id)
            .order_by(Event.id)
        ).all()
    return [tuple(row) for row in rows]


def _keys(database: Database) -> dict[str | None, list[str]]:
    inspector = inspect(database.engine)
    return {u["name"]: u["column_names"] for u in inspector.get_unique_constraints("events")}


def _log(*rows: tuple[str, str, int]) -> Any:
    return event_log(EventRow(ext, name, at, "ana") for ext, name, at in rows)


def test_upgrading_a_database_with_events_keeps_them_all_as_first_occurrences(db_url) -> None:
    database = Database(db_url)
    try:
        _to(database, "0006")
        with database.engine.begin() as connection:
            connection.execute(RECORD, {"ext": "006A"})
            connection.execute(RECORD, {"ext": "006B"})
            ids = dict(connection.execute(text("SELECT external_id, id FROM records")).all())
            for ext, name, at in (
                ("006A", "engaged", T1),
                ("006A", "closed_lost", T1),
                ("006B", "engaged", T1),
                ("006A", "engaged", T2),
            ):
                connection.execute(
                    EVENT,
                    {"record": ids[ext], "name": name, "at": at, "attributes": '{"tier": "a"}'},
                )
        database.migrate()
        assert database.revision() == database.head() >= "0008"

        assert _events(database) == [
            ("006A", "engaged", T1, 1, "ana"),
            ("006A", "closed_lost", T1, 1, "ana"),
            ("006B", "engaged", T1, 1, "ana"),
            ("006A", "engaged", T2, 1, "ana"),
        ]
        assert _keys(database) == {NEW_KEY: ["record_id", "name", "occurred_at", "occurrence"]}
        inspector = inspect(database.engine)
        assert ("ix_events_occurred_at", ["occurred_at"]) in [
            (i["name"], i["column_names"]) for i in inspector.get_indexes("events")
        ]
        assert [
            (k["constrained_columns"], k["referred_table"], k["options"].get("ondelete"))
            for k in inspector.get_foreign_keys("events")
        ] == [(["record_id"], "records", "CASCADE")]
        if not database.is_sqlite:  # altered in place: revision 0005's NOTIFY trigger stays
            with database.engine.connect() as connection:
                triggers = connection.execute(
                    text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'events'::regclass")
                ).scalars()
                assert "slaapp_notify_events" in set(triggers)

        # the same file again finds every stored event; a second same-instant row is added
        with database.session() as session:
            again = ingest_log(
                session,
                _log(
                    ("006A", "engaged", T1),
                    ("006A", "closed_lost", T1),
                    ("006A", "engaged", T1),
                    ("006B", "engaged", T1),
                ),
                source="file",
                now=2,
                repeats=True,
            )
        assert (again.events_added, again.events_unchanged) == (1, 3)
        assert _events(database)[-1] == ("006A", "engaged", T1, 2, "ana")
        duplicate = Event(record_id=ids["006A"], name="engaged", occurred_at=T1, occurrence=2,
                          source="file", ingested_at=3)  # fmt: skip
        with database.session() as session, pytest.raises(IntegrityError):
            session.add(duplicate)  # the new key still refuses a real duplicate
            session.flush()
    finally:
        database.dispose()


def test_the_models_match_the_migrated_events_table(database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [
            d for d in compare_metadata(context, Base.metadata) if "events" in repr(d)[:400]
        ]
    assert differences == []


def test_downgrading_drops_later_occurrences_and_restores_the_old_key(db_url) -> None:
    database = Database(db_url)
    try:
        database.migrate()
        with database.session() as session:
            ingest_log(
                session,
                _log(("006A", "engaged", T1), ("006A", "engaged", T1), ("006A", "stop", T2)),
                source="file",
                now=1,
                repeats=True,
            )
        _to(database, "0006", down=True)
        assert database.revision() == "0006"
        with database.engine.connect() as connection:
            names = connection.execute(
                text("SELECT name, occurred_at FROM events ORDER BY id")
            ).all()
        assert [tuple(n) for n in names] == [("engaged", T1), ("stop", T2)]
        assert _keys(database) == {
            "uq_events_record_id_name_occurred_at": ["record_id", "name", "occurred_at"]
        }
        database.migrate()
        assert _events(database) == [
            ("006A", "engaged", T1, 1, "ana"),
            ("006A", "stop", T2, 1, "ana"),
        ]
    finally:
        database.dispose()


def test_occurrences_count_per_record_event_and_instant_in_input_order(database) -> None:
    rows = (
        ("A", "mql", T1),
        ("B", "mql", T1),
        ("A", "mql", T1),
        ("A", "sql", T1),
        ("A", "mql", T2),
        ("A", "mql", T1),
    )
    with database.session() as session:
        first = ingest_log(session, _log(*rows), source="file", now=1, repeats=True)
    assert (first.events_added, first.events_unchanged) == (6, 0)
    assert [(e, n, at, k) for e, n, at, k, _ in _events(database)] == [
        ("A", "mql", T1, 1),
        ("B", "mql", T1, 1),
        ("A", "mql", T1, 2),
        ("A", "sql", T1, 1),
        ("A", "mql", T2, 1),
        ("A", "mql", T1, 3),
    ]
    with database.session() as session:
        again = ingest_log(session, _log(*rows), source="file", now=2, repeats=True)
        fewer = ingest_log(session, _log(("A", "mql", T1)), source="file", now=3, repeats=True)
        other = ingest_log(session, _log(("A", "mql", T1)), source="crm", now=3, repeats=True)
    assert (again.events_added, again.events_unchanged, again.changed_records) == (
        0,
        6,
        frozenset(),
    )
    assert (fewer.events_added, fewer.events_unchanged) == (0, 1)
    assert other.events_added == 1  # another source's record of the same id is another record
    with database.session() as session:
        more = ingest_log(
            session, _log(*rows, ("A", "mql", T1)), source="file", now=4, repeats=True
        )
    assert (more.events_added, more.events_unchanged) == (1, 6)
    assert _events(database)[-1][:4] == ("A", "mql", T1, 4)


def test_same_instant_rows_keep_their_own_owner_and_attributes(database) -> None:
    log = event_log(
        [
            EventRow("A", "engaged", T1, "ana", {"tier": "SMB"}),
            EventRow("A", "engaged", T1, "bo", {"region": "EU"}),
        ]
    )
    with database.session() as session:
        ingest_log(session, log, source="file", now=1, repeats=True)
        stored = session.execute(
            select(Event.occurrence, Event.owner, Event.attributes).order_by(Event.occurrence)
        ).all()
        record = session.scalars(select(Record)).one()
    assert [tuple(s) for s in stored] == [(1, "ana", {"tier": "SMB"}), (2, "bo", {"region": "EU"})]
    assert (record.owner, record.attributes) == ("bo", {"tier": "SMB", "region": "EU"})
    # a later import of the first row with a new attribute updates only that event
    with database.session() as session:
        changed = ingest_log(
            session,
            event_log([EventRow("A", "engaged", T1, None, {"stage": "won"})]),
            source="file",
            now=2,
        )
        stored = session.execute(
            select(Event.occurrence, Event.attributes).order_by(Event.occurrence)
        ).all()
    assert (changed.events_added, changed.events_updated) == (0, 1)
    assert [tuple(s) for s in stored] == [
        (1, {"tier": "SMB", "stage": "won"}),
        (2, {"region": "EU"}),
    ]


def test_merging_records_with_same_instant_events_keeps_the_key_unique(database) -> None:
    with database.session() as session:
        ingest_log(
            session,
            _log(
                ("L1", "mql", T1),
                ("L1", "mql", T1),
                ("L1", "sql", T2),
                ("S1", "sql", T2),
                ("L2", "mql", T1),
                ("L2", "mql", T1),
                ("S2", "mql", T1),
            ),
            source="crm",
            now=1,
            repeats=True,
        )
        merge_records(session, "crm", [("L1", "S1"), ("L2", "S2")], now=2)
    stored = sorted((e, n, at, k) for e, n, at, k, _ in _events(database))
    assert stored == [
        ("S1", "mql", T1, 1),
        ("S1", "mql", T1, 2),
        ("S1", "sql", T2, 1),
        ("S2", "mql", T1, 1),
    ]


def test_an_event_added_without_an_occurrence_is_the_first(database) -> None:
    with database.session() as session:
        ingest_log(session, _log(("A", "mql", T1)), source="file", now=1)
        record_id = session.scalars(select(Record.id)).one()
        session.add(
            Event(
                record_id=record_id,
                name="reassigned",
                occurred_at=T1,
                source="slaapp",
                ingested_at=1,
            )
        )
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (record_id, name, occurred_at, source, ingested_at) "
                "VALUES (:record, 'noted', :at, 'slaapp', 1)"
            ),
            {"record": record_id, "at": T1},
        )
    assert [(n, k) for _, n, _, k, _ in _events(database)] == [
        ("mql", 1),
        ("reassigned", 1),
        ("noted", 1),
    ]


def test_a_crm_batch_that_read_a_record_twice_merges_the_two_reads(database) -> None:
    """Logs made from CRM data (no times as written) are reads: a record read twice is once."""
    batch = event_log(
        [
            EventRow("A", "mql", T1, "ana", {"tier": "SMB"}),
            EventRow("A", "assigned", T1, "ana"),
            EventRow("B", "mql", T1, "bo"),
            EventRow("A", "mql", T1, None, {"region": "EU"}),  # A changed during the sync
            EventRow("A", "assigned", T2, "bo"),
        ]
    )
    assert batch.raw_time is None
    with database.session() as session:
        result = ingest_log(session, batch, source="crm", now=1)
        stored = session.execute(
            select(Event.name, Event.occurred_at, Event.occurrence, Event.attributes)
            .join(Record, Record.id == Event.record_id)
            .where(Record.external_id == "A")
            .order_by(Event.id)
        ).all()
    assert (result.events_added, result.events_unchanged) == (4, 0)
    assert [tuple(s) for s in stored] == [
        ("mql", T1, 1, {"tier": "SMB", "region": "EU"}),
        ("assigned", T1, 1, None),
        ("assigned", T2, 1, None),
    ]
    with database.session() as session:
        again = ingest_log(session, batch, source="crm", now=2)
    assert (again.events_added, again.events_updated, again.events_unchanged) == (0, 0, 4)


def test_a_file_read_by_the_event_log_reader_keeps_same_instant_rows_apart(
    database, tmp_path
) -> None:
    from slaapp.importers.event_file import read_events

    path = tmp_path / "events.csv"
    path.write_text(
        "record_id,event,occurred_at\n"
        "A,mql,2026-03-02T12:05:37-05:00\n"
        "A,mql,2026-03-02T17:05:37Z\n"
        "A,mql,2026-03-02T17:05:37Z\n",
        encoding="utf-8",
    )
    with database.session() as session:
        first = ingest_log(session, read_events(path).log, source="file", now=1)
        again = ingest_log(session, read_events(path).log, source="file", now=2)
        raw = session.execute(select(Event.occurrence, Event.raw).order_by(Event.id)).all()
    assert (first.events_added, again.events_added, again.events_unchanged) == (3, 0, 3)
    assert [tuple(r) for r in raw] == [
        (1, "2026-03-02T12:05:37-05:00"),
        (2, "2026-03-02T17:05:37Z"),
        (3, "2026-03-02T17:05:37Z"),
    ]
