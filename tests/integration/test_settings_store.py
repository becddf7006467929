"""Settings through the registry on SQLite and PostgreSQL: versions stored, old shapes upgraded on read."""

from __future__ import annotations

import re
from contextlib import nullcontext

import pytest
from alembic import command
from sqlalchemy import text

from slaapp.engine.errors import BadInputError
from slaapp.models.database import Database, _sqlite_foreign_keys_off
from slaapp.models.settings import (
    MATRIX_DRAFT,
    RECORD_URL,
    SMTP,
    TEXT,
    Field,
    Option,
    clear_setting,
    get_setting,
    put_setting,
    setting_or_default,
)
from slaapp.models.tables import Setting

NOW = 1_800_000_000


def _renamed(value):
    return {"owner": value.get("person", "")}


PERSON = Option("test.owner", "a test setting in its second shape", (Field("owner", TEXT, ""),),
                version=2, upgrades={1: _renamed})  # fmt: skip


def test_values_round_trip_with_their_shape_version(database):
    with database.session() as session:
        assert get_setting(session, SMTP) is None
        assert setting_or_default(session, SMTP) == SMTP.default
        put_setting(session, SMTP, {"host": "mail.acme.test", "port": 2525}, NOW)
        put_setting(session, MATRIX_DRAFT.named("ana"), {"document": {"x": 1}, "base": 3}, NOW)
    with database.session() as session:
        assert get_setting(session, SMTP) == {
            **SMTP.default,
            "host": "mail.acme.test",
            "port": 2525,
        }
        row = session.get(Setting, "smtp")
        assert row is not None and row.version == SMTP.version == 1
        assert get_setting(session, MATRIX_DRAFT.named("ana")) == {"document": {"x": 1}, "base": 3}
        assert get_setting(session, MATRIX_DRAFT.named("bo")) is None
        clear_setting(session, MATRIX_DRAFT.named("ana"))
    with database.session() as session:
        assert get_setting(session, MATRIX_DRAFT.named("ana")) is None
        with pytest.raises(TypeError, match="family"):
            get_setting(session, MATRIX_DRAFT)


def test_a_wrong_value_is_refused_and_nothing_is_stored(database):
    wrong = re.escape("setting 'crm.record_url' field 'hubspot'")
    with pytest.raises(BadInputError, match=wrong), database.session() as session:
        put_setting(session, RECORD_URL, {"hubspot": ["not", "text"]}, NOW)
    with database.session() as session:
        assert get_setting(session, RECORD_URL) is None


def test_a_value_saved_in_an_older_shape_is_upgraded_when_read_and_saved_in_the_new_one(database):
    with database.session() as session:
        session.add(Setting(key=PERSON.key, value={"person": "ana"}, version=1, updated_at=NOW))
    with database.session() as session:
        assert get_setting(session, PERSON) == {"owner": "ana"}
        put_setting(session, PERSON, get_setting(session, PERSON) or {}, NOW + 1)
    with database.session() as session:
        row = session.get(Setting, PERSON.key)
        assert row is not None and (row.value, row.version) == ({"owner": "ana"}, 2)
        row.version = 3  # a newer slaapp saved it
    with database.session() as session, pytest.raises(BadInputError, match="newer slaapp"):
        get_setting(session, PERSON)


def test_rows_saved_before_versions_existed_read_as_the_first_shape(db_url):
    database = Database(db_url)
    try:
        config = database._config()
        with database.engine.connect() as connection:
            keys_off = _sqlite_foreign_keys_off(connection) if database.is_sqlite else nullcontext()
            with keys_off, connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "0002")
        with database.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO settings (key, value, updated_at) VALUES (:k, :v, :t)"),
                {
                    "k": "crm.record_url",
                    "v": '{"hubspot": "https://x.test/{external_id}"}',
                    "t": NOW,
                },
            )
        database.migrate()
        with database.session() as session:
            row = session.get(Setting, "crm.record_url")
            assert row is not None and row.version == 1
            assert get_setting(session, RECORD_URL) == {"hubspot": "https://x.test/{external_id}"}
    finally:
        database.dispose()
