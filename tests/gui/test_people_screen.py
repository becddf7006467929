"""The People screen: the directory table edited in place with undo, a file preview with problems, an org chart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from slaapp.services.people import import_people, people
from slaapp.views.people.screen import PeopleScreen

NOW = 1_764_500_000
FILE = (
    "Sales Agent,Email,Manager,Regional Office,Role\n"
    "Dana Boss,dana@acme.example,,East,manager\n"
    "Anna Lee,anna@acme.example,Dana Boss,East,\n"
    "Bob Ray,bob@acme.example,Anna Lee,East,team_lead\n"
)


@pytest.fixture
def screen(qtbot, database, jobs, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(FILE)
    import_people(database, path, actor="tester", now=NOW)
    found = PeopleScreen(database, jobs, clock=lambda: NOW, actor="tester")
    qtbot.addWidget(found)
    _refresh(qtbot, found, jobs)
    return found


def _refresh(qtbot, screen, jobs) -> None:
    screen.refresh()
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)


def _cell(screen, key: str, field: str) -> QModelIndex:
    row = next(i for i, p in enumerate(screen.model.items) if p.key == key)
    return screen.model.index(row, screen.model.fields.index(field))


def test_the_table_and_org_chart_show_the_directory(qtbot, qtmodeltester, screen):
    qtmodeltester.check(screen.model)
    qtmodeltester.check(screen.proxy)
    qtmodeltester.check(screen.tree.model())
    assert screen.model.rowCount() == 3
    assert _cell(screen, "anna", "manager").data() == "Dana Boss"
    chart = screen.tree.model()
    top = chart.index(0, 0)
    assert chart.rowCount() == 1 and top.data() == "Dana Boss"
    anna = chart.index(0, 0, top)
    assert anna.data() == "Anna Lee" and chart.index(0, 0, anna).data() == "Bob Ray"
    screen.search.setText("bob@")
    assert screen.proxy.rowCount() == 1


def test_an_edit_in_place_is_stored_and_undone(qtbot, database, jobs, screen):
    index = _cell(screen, "bob", "team")
    assert screen.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert screen.model.setData(index, "West")
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    stored = {p.key: p for p in people(database)}
    assert stored["bob"].team == "West" and "team" in stored["bob"].hand_set
    assert _cell(screen, "bob", "team").data() == "West"
    assert screen.undo_button.isEnabled()
    screen.undo_button.click()
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    assert {p.key: p for p in people(database)}["bob"].team == "East"
    assert _cell(screen, "bob", "team").data() == "East"


def test_a_bad_edit_is_refused_in_plain_words(qtbot, database, jobs, screen):
    with qtbot.waitSignal(screen.message, timeout=10_000) as said:
        screen.model.setData(_cell(screen, "dana", "manager"), "Bob Ray")  # a loop
    assert "manager loop" in said.args[0]
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    assert {p.key: p for p in people(database)}["dana"].manager is None


def test_an_import_previews_rows_and_a_bad_file_lists_its_problems(
    qtbot, qtmodeltester, database, jobs, screen, tmp_path
):
    bad = tmp_path / "bad.csv"
    bad.write_text("Owner,Manager,Time zone\nEve,Nobody,UTC\nFay,Eve,Moon/Base\n")
    screen.preview_file(bad)
    qtbot.waitUntil(lambda: getattr(screen, "preview", None) is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    preview = screen.preview
    qtmodeltester.check(preview.model)
    rows = [
        (preview.model.index(r, 0).data(), preview.model.index(r, 1).data())
        for r in range(preview.model.rowCount())
    ]
    assert rows == [("2", "Manager"), ("3", "Time zone")]
    assert preview.import_button is None and "nothing was stored" in preview.summary.text()
    preview.reject()
    good = tmp_path / "good.csv"
    good.write_text("name,email,manager,team\nEve Park,eve@acme.example,dana,North\n")
    screen.preview = None
    screen.preview_file(good)
    qtbot.waitUntil(lambda: screen.preview is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    assert screen.preview.model.index(0, 3).data() == "Add"
    assert len(people(database)) == 3  # a preview stores nothing
    screen.preview.import_button.click()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 4, timeout=10_000)
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    assert {p.key: p.manager for p in people(database)}["eve"] == "dana"
