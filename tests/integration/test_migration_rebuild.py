"""A migration that rebuilds `records` keeps every row (SQLite and PostgreSQL); dangling keys fail."""

from __future__ import annotations

import shutil
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, inspect, select, text
from sqlalchemy.exc import IntegrityError

from slaapp.models import database as database_module
from slaapp.models.clock_days import missing_triggers
from slaapp.models.database import Database, DatabaseError
from slaapp.models.tables import (
    Alert,
    AlertAction,
    AlertClockState,
    AlertDelivery,
    Event,
    Record,
    ServiceHeartbeat,
    Setting,
    SyncCursor,
    SyncRun,
    TeamLogin,
    TeamRole,
)
from slaapp.services.dashboard import DashboardFilter, load_dashboard
from slaapp.services.demo_org import load_demo

REBUILD_RECORDS = """
    def upgrade() -> None:
        # recreate="always" forces SQLite's copy-drop-rename; PostgreSQL alters in place.
        recreate = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
        with op.batch_alter_table("records", recreate=recreate) as batch:
            batch.add_column(sa.Column("rebuilt", sa.Integer(), nullable=False, server_default="0"))
        op.execute("UPDATE records SET rebuilt = 1")
        with op.batch_alter_table("records", recreate=recreate) as batch:
            batch.drop_column("rebuilt")
"""

ORPHAN_EVENTS = """
    def upgrade() -> None:
        # a careless data migration: the record goes, its events stay behind
        op.execute("DELETE FROM records WHERE id = (SELECT min(record_id) FROM events)")
"""


def test_records_rebuild_keeps_every_row(db_url: str, tmp_path: Path, monkeypatch) -> None:
    populated = _populated(db_url)
    product_head = populated.revision()
    before = _row_counts(populated)
    records_schema = _schema(populated, "records")
    populated.dispose()
    migrations = tmp_path / "migrations"
    _use_migrations_with(monkeypatch, migrations, "rebuild_records", REBUILD_RECORDS, product_head)

    database = Database(db_url)
    connects = _count_connects(database)
    try:
        backup = database.migrate()
        assert database.revision() == "9999"
        after = _row_counts(database)
        assert after == before
        assert _schema(database, "records") == records_schema
        with database.engine.connect() as connection:  # SQLite dropped them: put back
            assert missing_triggers(connection) == []
        if database.is_sqlite:
            assert backup is not None and backup.exists()  # the backup is still made first
            copy = Database(f"sqlite:///{backup}")
            assert copy.revision() == product_head
            assert _row_counts(copy) == before
            copy.dispose()
            _assert_foreign_keys_enforced_on_the_migrated_connection(database, connects)
        else:
            assert backup is None
    finally:
        database.dispose()


def test_a_migration_leaving_dangling_keys_fails_and_changes_nothing(
    tmp_path: Path, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path / 'slaapp.db'}"
    populated = _populated(url)
    product_head = populated.revision()
    before = _row_counts(populated)
    with populated.engine.connect() as connection:
        orphaned = connection.execute(
            text(
                "SELECT count(*) FROM events WHERE record_id = (SELECT min(record_id) FROM events)"
            )
        ).scalar_one()
    populated.dispose()
    assert orphaned > 0
    migrations = tmp_path / "migrations"
    _use_migrations_with(monkeypatch, migrations, "orphan_events", ORPHAN_EVENTS, product_head)

    database = Database(url)
    connects = _count_connects(database)
    try:
        with pytest.raises(DatabaseError) as raised:
            database.migrate()
        message = str(raised.value)
        assert (
            f"{orphaned} row{'' if orphaned == 1 else 's'} of events" in message
        )  # demo-dependent
        assert "events.record_id points at no records.id" in message
        assert "rolled back" in message
        assert database.revision() == product_head  # rolled back: nothing changed
        assert _row_counts(database) == before
        _assert_foreign_keys_enforced_on_the_migrated_connection(database, connects)
    finally:
        database.dispose()


def test_migration_refuses_a_sqlite_connection_with_foreign_keys_on(tmp_path: Path) -> None:
    from alembic import command

    database = Database(f"sqlite:///{tmp_path / 'slaapp.db'}")
    try:
        config = database._config()
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            with pytest.raises(RuntimeError, match="foreign keys"):
                command.upgrade(config, "head")
        assert database.revision() is None
    finally:
        database.dispose()


# ----- helpers ---------------------------------------------------------------------------


def _populated(url: str) -> Database:
    """A database at the product's newest revision holding a demo org and a row in every table."""
    database = Database(url)
    database.migrate()
    load_demo(database, seed=11, days=2)
    with database.session() as session:
        record_id = session.scalars(select(Record.id).order_by(Record.id)).first()
        assert record_id is not None
        alert = Alert(
            dedup_key="rebuild-test", record_id=record_id, handoff="lead_response", cycle=1,
            step="breach", severity="breach", fired_at=1, title="late",
        )  # fmt: skip
        session.add(alert)
        session.flush()
        session.add_all(
            [
                AlertDelivery(
                    alert_id=alert.id, channel="email", recipient_key="ana", not_before=1
                ),
                AlertAction(
                    alert_id=alert.id,
                    record_id=record_id,
                    kind="reassign",
                    policy="propose",
                    state="proposed",
                    created_at=1,
                ),
                AlertClockState(
                    record_id=record_id,
                    handoff="lead_response",
                    cycle=1,
                    step="breach",
                    step_at=1.0,
                    fired_at=1,
                ),
                SyncCursor(source="demo", stream="events", updated_at=1),
                SyncRun(source="demo", started_at=1, state="done"),
                Setting(key="rebuild-test", updated_at=1),
                ServiceHeartbeat(name="host:1", started_at=1, beat_at=1),
                TeamLogin(db_user="ana", person_key="ana", role="rep", granted_at=1),
                TeamRole(role="slaapp_rep", level="rep", rank=2),
            ]
        )
    now = int(time.time())
    today = datetime.fromtimestamp(now, UTC).date()
    load_dashboard(database, DashboardFilter(today - timedelta(days=30), today), now)  # pages
    empty = sorted(name for name, count in _row_counts(database).items() if count == 0)
    assert not empty, f"every table should hold rows for this test: {empty} are empty"
    return database


def _row_counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        names = sorted(inspect(connection).get_table_names())
        counts = {
            name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in names
        }
    return counts


def _schema(database: Database, table: str) -> dict[str, Any]:
    """What a rebuild must keep: columns, keys, indexes, and the keys of other tables into it."""
    inspector = inspect(database.engine)
    incoming = sorted(
        (name, tuple(key["constrained_columns"]), key["options"].get("ondelete"))
        for name in inspector.get_table_names()
        for key in inspector.get_foreign_keys(name)
        if key["referred_table"] == table
    )
    return {
        "columns": [
            (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
        ],
        "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
        "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
        "indexes": sorted(tuple(i["column_names"]) for i in inspector.get_indexes(table)),
        "incoming": incoming,
    }


def _use_migrations_with(
    monkeypatch, folder: Path, name: str, upgrade: str, down_revision: str | None
) -> None:
    """The product's migrations plus one test revision `9999`, in a folder of their own."""
    shutil.copytree(
        database_module.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__")
    )
    body = textwrap.dedent(upgrade).strip()
    (folder / "versions" / f"9999_{name}.py").write_text(
        f'"""Test revision: {name}."""\n\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f'revision = "9999"\ndown_revision = {down_revision!r}\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        f"{body}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(database_module, "MIGRATIONS", folder)


def _count_connects(database: Database) -> list[object]:
    connects: list[object] = []
    event.listen(database.engine, "connect", lambda dbapi, _record: connects.append(dbapi))
    return connects


def _assert_foreign_keys_enforced_on_the_migrated_connection(
    database: Database, connects: list[object]
) -> None:
    """Later sessions reuse the migration's pooled connection: its foreign keys are on again."""
    with database.session() as session:
        assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
    assert len(connects) == 1, "the migration's connection was replaced, not restored"
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(
            Event(
                record_id=10**9,
                name="created",
                occurred_at=1,
                source="demo",
                ingested_at=1,
            )
        )
