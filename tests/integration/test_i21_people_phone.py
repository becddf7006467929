"""Mobile numbers on people: the people file, `slaapp people set --phone`, migration 0008."""

from __future__ import annotations

import json
from contextlib import nullcontext

import pytest
from alembic import command
from sqlalchemy import inspect, text

from slaapp.cli import main
from slaapp.engine.errors import BadInputError
from slaapp.engine.people import phone_number
from slaapp.importers.people_file import PeopleFileError
from slaapp.models import database as database_module
from slaapp.models.database import Database
from slaapp.models.directory import load_people
from slaapp.services.people import import_people, people, set_person_fields

NOW = 1_764_500_000


def by_key(database) -> dict:
    return {p.key: p for p in people(database)}


@pytest.mark.parametrize("header", ["Phone", "Mobile", "Mobile phone"])
def test_the_people_file_reads_a_phone_column_by_its_aliases(database, tmp_path, header):
    path = tmp_path / "people.csv"
    path.write_text(
        f"Name,Email,{header}\n"
        "Victor Hale,victor@acme.example,+1 (415) 555-0123\n"
        "Ben Carter,ben@acme.example,\n"
    )
    result = import_people(database, path, actor="tester", now=NOW)
    assert result.stored
    found = by_key(database)
    assert found["victor"].phone == "+14155550123" and found["ben"].phone is None
    assert "phone" in found["victor"].hand_set and "phone" not in found["ben"].hand_set
    with database.session() as session:
        directory = {p.key: p for p in load_people(session)}
    assert directory["victor"].phone == "+14155550123"


def test_a_bad_number_is_an_error_naming_row_and_column_and_nothing_is_stored(database, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "Name,Mobile phone\nVictor Hale,+1415\nAna Diaz,0049 30 1234567\nBo,+4930123456\n"
    )
    with pytest.raises(PeopleFileError) as caught:
        import_people(database, path, actor="tester", now=NOW)
    found = {(p.row, p.column, p.found) for p in caught.value.problems}
    assert found == {(2, "Mobile phone", "+1415"), (3, "Mobile phone", "0049 30 1234567")}
    assert "not a phone number in international form" in caught.value.problems[0].message
    assert people(database) == ()


def test_e164_is_plus_and_8_to_15_digits():
    assert phone_number("+49 30 1234 5678") == "+493012345678"
    assert phone_number("+12345678") == "+12345678"
    for bad in ("+1234567", "+1234567890123456", "4155550123", "+0415555012", "+1 415 CALL NOW"):
        with pytest.raises(ValueError, match="not a phone number"):
            phone_number(bad)


def test_people_set_phone_validates_normalises_and_clears(db_url, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text("Name,Email\nVictor Hale,victor@acme.example\n")
    assert main(["people", "import", str(path), "--db", db_url]) == 0
    capsys.readouterr()
    assert main(["people", "set", "victor", "--phone", "+44 20 7946 0958", "--db", db_url]) == 0
    assert "victor: set phone" in capsys.readouterr().out
    assert main(["people", "list", "--format", "json", "--db", db_url]) == 0
    (victor,) = json.loads(capsys.readouterr().out)
    assert victor["phone"] == "+442079460958" and "phone" in victor["set_by_hand"]
    assert main(["people", "set", "victor", "--phone", "0207 946 0958", "--db", db_url]) == 2
    assert "phone: '0207 946 0958' is not a phone number" in capsys.readouterr().err
    database = Database(db_url)
    try:
        assert by_key(database)["victor"].phone == "+442079460958"
        set_person_fields(database, "victor", {"phone": ""}, actor="tester", now=NOW)
        assert by_key(database)["victor"].phone is None
        with pytest.raises(BadInputError, match="phone: 'call me' is not a phone number"):
            set_person_fields(database, "victor", {"phone": "call me"}, actor="tester", now=NOW)
    finally:
        database.dispose()


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


def test_migration_0008_adds_the_phone_column_and_keeps_people(db_url) -> None:
    database = Database(db_url)
    try:
        _to(database, "0007")
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO people (key, name, email, role, timezone, working_hours, "
                    "out_of_office, capacity, active, hand_set, crm_ids) VALUES ('ana', 'Ana', "
                    "'ana@acme.example', 'vp', 'UTC', '{}', '[]', 25, true, '[]', '{}')"
                )
            )
        assert "phone" not in {c["name"] for c in inspect(database.engine).get_columns("people")}
        database.migrate()
        assert database.revision() == database.head() >= "0008"
        columns = {c["name"]: c for c in inspect(database.engine).get_columns("people")}
        assert columns["phone"]["nullable"]
        with database.engine.begin() as connection:
            assert connection.execute(text("SELECT key, phone FROM people")).all() == [
                ("ana", None)
            ]
            connection.execute(text("UPDATE people SET phone = '+14155550123'"))
        with database.session() as session:
            assert [p.phone for p in load_people(session)] == ["+14155550123"]
        _to(database, "0007", down=True)
        assert "phone" not in {c["name"] for c in inspect(database.engine).get_columns("people")}
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT key FROM people")).all() == [("ana",)]
        _to(database, "head")
        assert database.revision() == database.head()
    finally:
        database.dispose()
