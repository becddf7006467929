"""People files: header aliases, every problem with row and column, upserts, hand-set fields kept by syncs."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from slaapp.cli import main
from slaapp.engine.errors import BadInputError
from slaapp.engine.people import PersonInfo
from slaapp.importers.people_file import PeopleFileError
from slaapp.services.people import import_people, people, set_person_fields
from slaapp.sync.people import merge_people

NOW = 1_764_500_000
GOOD = (
    "Sales Agent,Email,Manager,Regional Office,Role,Time zone,Hours,Capacity,Out of office,CRM ids\n"
    "Dana Boss,dana@acme.example,,East,manager,America/New_York,,,,hubspot:900\n"
    "Anna Lee,anna@acme.example,Dana Boss,East,,America/New_York,mon-fri 08:30-16:30,12,"
    "2026-12-21..2027-01-02,hubspot:901;salesforce:0055e000001\n"
    "Bob Ray,,dana@acme.example,East,rep,,,,,\n"
)


def by_key(database) -> dict:
    return {p.key: p for p in people(database)}


def test_a_bad_people_file_names_row_and_column_of_every_problem_and_stores_nothing(
    database, tmp_path
):
    path = tmp_path / "sales_teams.csv"
    path.write_text(
        "Owner,Manager,Department,Time zone\n"
        "Ann,Bo,X,Mars/Olympus\n"  # bad zone; Ann and Bo manage each other
        "Bo,Ann,X,UTC\n"
        "Cy,Nobody,X,UTC\n"  # an unknown manager
        "Di,Ann,X,Europe/Berlin\n"
    )
    with pytest.raises(PeopleFileError) as caught:
        import_people(database, path, actor="tester", now=NOW)
    found = {(p.row, p.column, p.message.split(":")[0]) for p in caught.value.problems}
    assert found == {
        (2, "Time zone", "not an IANA time zone (like America/New_York or Europe/Berlin)"),
        (2, "Manager", "manager loop"),
        (3, "Manager", "manager loop"),
        (4, "Manager", "unknown manager"),
    }
    assert "row 4, column Manager" in str(caught.value) and "Nobody" in str(caught.value)
    assert people(database) == ()


def test_a_loop_through_the_directory_is_refused(database, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("name,manager\nAnn,\nBo,Ann\n")
    import_people(database, first, actor="tester", now=NOW)
    second = tmp_path / "second.csv"
    second.write_text("name,manager\nAnn,bo\n")
    with pytest.raises(PeopleFileError) as caught:
        import_people(database, second, actor="tester", now=NOW)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "manager")
    assert "ann -> bo -> ann" in problem.message
    assert by_key(database)["ann"].manager is None


def test_aliases_and_fields_are_read_and_the_import_is_idempotent(database, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    preview = import_people(database, path, actor="tester", now=NOW, preview=True)
    assert [(c.key, c.action) for c in preview.changes] == [
        ("dana", "add"),
        ("anna", "add"),
        ("bob.ray", "add"),
    ]
    assert people(database) == ()  # a preview stores nothing
    first = import_people(database, path, actor="tester", now=NOW)
    assert (first.count("add"), first.count("update"), first.count("same")) == (3, 0, 0)
    stored = by_key(database)
    anna = stored["anna"]
    assert (anna.name, anna.email, anna.team, anna.manager, anna.role) == (
        "Anna Lee",
        "anna@acme.example",
        "East",
        "dana",
        "rep",
    )
    assert (anna.timezone, anna.hours, anna.capacity) == (
        "America/New_York",
        "mon-fri 08:30-16:30",
        12,
    )
    assert anna.out_of_office == (("2026-12-21", "2027-01-02"),)
    assert dict(anna.crm_ids) == {"hubspot": "901", "salesforce": "0055e000001"}
    assert stored["bob.ray"].manager == "dana"  # a manager named by email
    assert stored["dana"].role == "manager"
    again = import_people(database, path, actor="tester", now=NOW + 60)
    assert (again.count("add"), again.count("update"), again.count("same")) == (0, 0, 3)
    assert by_key(database) == stored

    path.write_text("name,key,email,team\nAnna Lee,a.lee,ANNA@acme.example,West\n")  # by email
    changed = import_people(database, path, actor="tester", now=NOW + 120)
    assert [(c.key, c.action, c.fields) for c in changed.changes] == [("anna", "update", ("team",))]
    after = by_key(database)
    assert len(after) == 3 and after["anna"].team == "West" and after["anna"].manager == "dana"


def test_an_xlsx_people_file_and_managers_without_rows(database, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["sales_agent", "manager", "regional_office"])
    sheet.append(["Moses Frase", "Dustin Brinkmann", "Central"])
    sheet.append(["Hayden Neloms", "Celia Rouche", "West"])
    path = tmp_path / "sales_teams.xlsx"
    book.save(path)
    with pytest.raises(PeopleFileError) as caught:
        import_people(database, path, actor="tester", now=NOW)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "manager"), (3, "manager")]
    import_people(database, path, actor="tester", now=NOW, add_managers=True)
    stored = by_key(database)
    assert stored["moses.frase"].manager == "dustin.brinkmann"
    assert (stored["celia.rouche"].role, stored["celia.rouche"].team) == ("manager", "West")


def test_crm_sync_keeps_fields_set_by_hand(database, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    import_people(database, path, actor="tester", now=NOW)
    set_person_fields(
        database, "bob.ray", {"name": "Robert Ray", "manager": "anna"}, actor="t", now=NOW
    )

    def owner(key, name, email, manager=None):
        return PersonInfo(key=key, name=name, email=email, team="Sales", role="rep",
                          manager=manager, timezone="UTC", hours=(8, 18), capacity=40)  # fmt: skip

    crm = [
        owner("901", "Anna L.", None, manager="900"),  # known by her HubSpot owner id
        owner("902", "Bob R.", None, manager="900"),
        owner("900", "Dana B.", "dana@acme.example"),
        owner("903", "Eve New", "eve@acme.example", manager="900"),
    ]
    mapping = merge_people(database, "hubspot", crm, NOW)
    assert mapping["901"] == "anna" and mapping["900"] == "dana"
    stored = by_key(database)
    anna = stored["anna"]
    assert (anna.team, anna.role, anna.timezone, anna.hours, anna.capacity) == (
        "East",
        "rep",
        "America/New_York",
        "mon-fri 08:30-16:30",
        12,
    )
    assert anna.manager == "dana"
    assert stored["eve@acme.example"].name == "Eve New"  # a new owner is added
    assert stored["bob.ray"].name == "Robert Ray" and stored["bob.ray"].manager == "anna"
    set_person_fields(database, "anna", {"name": "Anna Lee-Hand"}, actor="t", now=NOW)
    merge_people(database, "hubspot", crm, NOW + 60)
    assert by_key(database)["anna"].name == "Anna Lee-Hand"  # a name set by hand stays


def test_set_by_hand_checks_values_and_loops(database, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    import_people(database, path, actor="tester", now=NOW)
    with pytest.raises(BadInputError, match="timezone"):
        set_person_fields(database, "anna", {"timezone": "Nowhere/Land"}, actor="t", now=NOW)
    with pytest.raises(BadInputError, match="manager loop"):
        set_person_fields(database, "dana", {"manager": "Anna Lee"}, actor="t", now=NOW)
    entry = set_person_fields(
        database, "anna", {"hours": "mon-thu 07:00-15:00", "out_of_office": ""}, actor="t", now=NOW
    )
    assert (entry.hours, entry.out_of_office) == ("mon-thu 07:00-15:00", ())
    assert {"hours", "out_of_office"} <= set(entry.hand_set)


def test_cli_people_import_list_set(db_url, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    assert main(["people", "import", str(path), "--db", db_url, "--preview"]) == 0
    assert "3 would be added" in capsys.readouterr().out
    assert main(["people", "import", str(path), "--db", db_url]) == 0
    assert (
        main(["people", "set", "bob.ray", "--db", db_url, "--team", "West", "--role", "team_lead"])
        == 0
    )
    capsys.readouterr()
    assert main(["people", "list", "--db", db_url, "--format", "json"]) == 0
    import json

    listed = {p["key"]: p for p in json.loads(capsys.readouterr().out)}
    assert (listed["bob.ray"]["team"], listed["bob.ray"]["role"]) == ("West", "team_lead")
    assert main(["people", "set", "bob.ray", "--db", db_url, "--role", "boss"]) == 2
    assert "role" in capsys.readouterr().err


def test_people_edits_and_imports_are_audited(database, tmp_path):
    from sqlalchemy import select

    from slaapp.models.tables import AuditEntry

    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    import_people(database, path, actor="importer", now=NOW)
    set_person_fields(database, "anna", {"team": "West"}, actor="mia", now=NOW + 5)
    with database.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "person").order_by(AuditEntry.id)
        ).all()
        found = [(r.actor, r.action, r.entity_key, r.at) for r in rows]
        last = rows[-1].detail
    assert found == [
        ("importer", "person added", "dana", NOW),
        ("importer", "person added", "anna", NOW),
        ("importer", "person added", "bob.ray", NOW),
        ("mia", "person updated", "anna", NOW + 5),
    ]
    assert last["changes"] == {"team": ["East", "West"]} and last["source"] == "by hand"


def test_a_row_found_by_email_keeps_its_key_for_the_reports_naming_it(database, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    import_people(database, path, actor="tester", now=NOW)
    path.write_text("name,key,email,manager\nAnna Lee,a.lee,anna@acme.example,\nCy Fox,,,a.lee\n")
    import_people(database, path, actor="tester", now=NOW)
    stored = by_key(database)
    assert "a.lee" not in stored and stored["cy.fox"].manager == "anna"
