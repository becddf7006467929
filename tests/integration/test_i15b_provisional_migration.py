"""Migration 0006 marks the default matrix the app published on its own as provisional."""

from __future__ import annotations

from contextlib import nullcontext

from alembic import command
from sqlalchemy import select, text

from slaapp.models import database as database_module
from slaapp.models.database import Database
from slaapp.models.tables import MatrixVersion

INSERT = text(
    "INSERT INTO matrix_versions (number, document, author, published_at, effective_from, note, "
    "parent_number, reevaluate_open, signoffs) VALUES "
    "(:number, '{}', :author, 1700000000, :effective, :note, NULL, false, '[]')"
)


def _at_0005(url: str) -> Database:
    database = Database(url)
    config = database._config()
    with database.engine.connect() as connection:
        fk_off = (
            database_module._sqlite_foreign_keys_off(connection)
            if database.is_sqlite
            else nullcontext()
        )
        with fk_off, connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, "0005")
    return database


def test_the_apps_own_default_becomes_provisional_and_a_persons_version_does_not(db_url):
    database = _at_0005(db_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(
                INSERT,
                {"number": 1, "author": "slaapp", "effective": 0, "note": "Default revenue matrix"},
            )
            connection.execute(
                INSERT, {"number": 2, "author": "ana", "effective": 1700000000, "note": "ours"}
            )
        database.migrate()
        assert database.revision() == database.head()
        with database.session() as session:
            flags = session.execute(
                select(MatrixVersion.number, MatrixVersion.provisional).order_by(
                    MatrixVersion.number
                )
            ).all()
        assert [tuple(row) for row in flags] == [(1, True), (2, False)]
    finally:
        database.dispose()
