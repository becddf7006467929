"""Persistence on SQLite and PostgreSQL: migrations, idempotent import, versions, audit, clocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventRow, event_log
from slaapp.engine.instants import parse_instant
from slaapp.engine.matrix_document import matrix_from_document, matrix_to_document
from slaapp.importers.event_file import read_events
from slaapp.importers.matrix_file import load_matrix
from slaapp.models import evaluation
from slaapp.models.database import Database
from slaapp.models.evaluation import refresh_clocks, refresh_open_clocks, stored_clocks
from slaapp.models.ingest import ingest_log
from slaapp.models.matrices import (
    MatrixConflictError,
    latest_number,
    load_version,
    publish,
    rollback,
)
from slaapp.models.tables import AuditEntry, Clock, Event, MatrixVersion, Record

ROOT = Path(__file__).resolve().parents[2]
MATRIX = load_matrix(ROOT / "resources" / "matrices" / "revenue-default.json")
SAMPLE = read_events(ROOT / "resources" / "samples" / "events-sample.csv").log
NOW = parse_instant("2026-11-27T14:00:00Z")


def count(database: Database, table) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(table)))


def published(database: Database, matrix=MATRIX, **options) -> int:
    with database.session() as session:
        options.setdefault("effective_from", 0)
        return publish(
            session, matrix, author="ana", now=NOW, base_version=latest_number(session), **options
        ).number


def test_migrations_create_every_table_and_rerun_as_a_no_op(database):
    names = set(inspect(database.engine).get_table_names())
    assert {
        "records",
        "events",
        "clocks",
        "matrix_versions",
        "audit_log",
        "alerts",
        "people",
        "teams",
    } <= names
    assert database.revision() == database.head()
    published(database)
    assert database.migrate() is None
    assert count(database, MatrixVersion) == 1


def test_sqlite_backup_is_a_consistent_copy(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    db.migrate()
    published(db)
    backup = db._backup("0001")
    copy = Database(f"sqlite:///{backup}")
    assert count(copy, MatrixVersion) == 1
    copy.dispose()
    db.dispose()


def test_import_is_idempotent_and_changed_values_update(database):
    published(database)
    with database.session() as session:
        first = ingest_log(session, SAMPLE, source="csv", now=NOW)
    assert (first.events_added, first.records_added) == (len(SAMPLE), 60)
    with database.session() as session:
        again = ingest_log(session, SAMPLE, source="csv", now=NOW)
    assert (again.events_added, again.events_updated, again.events_unchanged) == (0, 0, len(SAMPLE))
    assert again.changed_records == frozenset()
    assert count(database, Event) == len(SAMPLE)
    rows = list(SAMPLE.rows())
    changed = [
        EventRow(
            rows[0].record_id,
            rows[0].event,
            rows[0].occurred_at,
            "new.owner@acme.test",
            {"tier": "Enterprise"},
        )
    ]
    with database.session() as session:
        update = ingest_log(session, event_log(changed), source="csv", now=NOW)
        record = session.scalars(
            select(Record).where(Record.external_id == rows[0].record_id)
        ).one()
    assert (update.events_added, update.events_updated) == (0, 1)
    assert update.changed_records == frozenset({record.id})
    assert record.attributes["tier"] == "Enterprise"


def test_stored_pipeline_equals_stateless_evaluation(database):
    published(database)
    with database.session() as session:
        ingest_log(session, SAMPLE, source="csv", now=NOW)
        result = stored_clocks(session, NOW)
    expected = list(evaluate(MATRIX, SAMPLE, NOW).rows())
    assert list(result.clocks.rows()) == expected
    assert set(result.versions.tolist()) == {1}


def test_refresh_persists_clocks_and_incremental_refresh_touches_only_changed_records(database):
    published(database)
    with database.session() as session:
        ingest_log(session, SAMPLE, source="csv", now=NOW)
        total = refresh_clocks(session, NOW)
        record_id, external, handoff = session.execute(
            select(Clock.record_id, Record.external_id, Clock.handoff)
            .join(Record, Record.id == Clock.record_id)
            .where(Clock.is_open)
            .order_by(Record.external_id)
            .limit(1)
        ).one()
    assert count(database, Clock) == total == len(evaluate(MATRIX, SAMPLE, NOW))
    late = EventRow(external, MATRIX.handoff(handoff).stop, NOW - 60, None, {"amount": "50000"})
    later = NOW + 3600
    with database.session() as session:
        result = ingest_log(session, event_log([late]), source="csv", now=later)
        assert result.changed_records == frozenset({record_id})
        refresh_clocks(session, later, result.changed_records)
        refreshed = (
            session.execute(select(Clock.record_id).where(Clock.evaluated_at == later))
            .scalars()
            .all()
        )
        stored = session.execute(
            select(Clock.status, Clock.stopped_at, Clock.is_open).where(
                Clock.record_id == record_id, Clock.handoff == handoff
            )
        ).one()
    assert set(refreshed) == {record_id}
    expected = next(
        c
        for c in evaluate(MATRIX, event_log([*SAMPLE.rows(), late]), later).rows()
        if c["record_id"] == external and c["handoff"] == handoff
    )
    assert tuple(stored) == (expected["status"], NOW - 60, False)
    assert count(database, Clock) == total


def test_publish_on_a_stale_version_is_a_conflict_and_writes_nothing(database):
    published(database)
    with database.session() as session:
        publish(session, MATRIX, author="ben", now=NOW + 60, base_version=1, note="ben's change")
    versions, audits = count(database, MatrixVersion), count(database, AuditEntry)
    with (
        pytest.raises(
            MatrixConflictError, match=r"version 2 was published by ben at 2026-11-27T14:01:00Z"
        ),
        database.session() as session,
    ):
        publish(session, MATRIX, author="ana", now=NOW + 120, base_version=1)
    assert (count(database, MatrixVersion), count(database, AuditEntry)) == (versions, audits)


def test_every_matrix_change_is_audited_with_a_readable_diff(database):
    published(database)
    doc = matrix_to_document(MATRIX)
    doc["handoffs"][1]["rules"]["enterprise"]["target"] = "30m"
    changed = matrix_from_document(doc)
    with database.session() as session:
        publish(
            session, changed, author="ben", now=NOW + 60, base_version=1, note="faster enterprise"
        )
        rollback(session, 1, author="cat", now=NOW + 120, base_version=2)
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        info, matrix = load_version(session)
    assert [(e.actor, e.action, e.entity_key) for e in entries] == [
        ("ana", "publish", "1"),
        ("ben", "publish", "2"),
        ("cat", "publish", "3"),
    ]
    assert entries[1].detail["changes"] == [
        'handoffs[first_contact].rules[enterprise].target: "1h" -> "30m"'
    ] or entries[1].detail["changes"] == [
        'handoffs[first_contact].rules.enterprise.target: "1h" -> "30m"'
    ]
    assert entries[2].detail["note"] == "Roll back to version 1"
    assert (info.number, info.parent) == (3, 2)
    assert matrix == MATRIX


def test_clock_is_judged_by_the_version_effective_at_its_start(database):
    published(database)
    doc = matrix_to_document(MATRIX)
    doc["handoffs"][1]["rules"]["default"]["target"] = "8h"
    switch = parse_instant("2026-11-20T00:00:00Z")
    published(database, matrix_from_document(doc), effective_from=switch)
    with database.session() as session:
        ingest_log(session, SAMPLE, source="csv", now=NOW)
        result = stored_clocks(session, NOW)
    clocks = result.clocks
    handoff = clocks.handoff_keys.index("first_contact")
    default = clocks.segment_keys.index("default")
    chosen = (clocks.handoff == handoff) & (clocks.segment == default)
    before = chosen & (clocks.started_at < switch)
    after = chosen & (clocks.started_at >= switch)
    assert before.any() and after.any()
    assert set(clocks.target[before].tolist()) == {7200}
    assert set(clocks.target[after].tolist()) == {8 * 3600}
    assert set(result.versions[before].tolist()) == {1} and set(
        result.versions[after].tolist()
    ) == {2}


def test_import_interrupted_half_way_leaves_the_database_as_it_was(database, monkeypatch):
    published(database)

    def explode(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(evaluation, "stored_clocks", explode)
    with pytest.raises(RuntimeError, match="power cut"), database.session() as session:
        ingest_log(session, SAMPLE, source="csv", now=NOW)
        refresh_clocks(session, NOW)
    assert (count(database, Record), count(database, Event), count(database, Clock)) == (0, 0, 0)


def test_versions_survive_as_json_documents(database):
    published(database)
    with database.session() as session:
        row = session.scalars(select(MatrixVersion)).one()
    assert json.loads(row.document)["format"] == "slaapp.matrix/1"


def test_time_driven_status_changes_are_persisted_for_open_clocks(database):
    published(database)
    with database.session() as session:
        ingest_log(session, SAMPLE, source="csv", now=NOW)
        refresh_clocks(session, NOW)
    later = NOW + 30 * 86400
    with database.session() as session:
        before = dict(session.execute(select(Clock.id, Clock.status).where(Clock.is_open)).all())
        refreshed = refresh_open_clocks(session, later)
        statuses = session.execute(
            select(Clock.status, Clock.evaluated_at).where(Clock.evaluated_at == later)
        ).all()
    assert refreshed >= len(before) > 0
    assert {status for status, _ in statuses} >= {"breached"}
    expected = evaluate(MATRIX, SAMPLE, later)
    assert sum(1 for s, _ in statuses if s == "breached") == int((expected.status == 3).sum())
