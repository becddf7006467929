"""The SLA matrix editor driven through its real widgets: edit, undo, redo, publish, conflicts."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import open_database
from slaapp.models.matrices import history, load_version, publish
from slaapp.services.matrix_drafts import matrix_state
from slaapp.services.store import ensure_matrix
from slaapp.views.common.jobs import JobRunner
from slaapp.views.matrix.delegate import RuleEditor, join_target, split_target
from slaapp.views.matrix.grid import RULE_ROLE, MatrixGridModel
from slaapp.views.matrix.screen import MatrixScreen
from slaapp.views.matrix.segments import predicate_doc, predicate_rows
from slaapp.views.matrix.undo import MatrixDraft


@pytest.fixture
def database(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'matrix.db'}")
    ensure_matrix(db)
    yield db
    db.dispose()


@pytest.fixture
def screen(qtbot, database):
    jobs = JobRunner()
    widget = MatrixScreen(database, jobs)
    widget.user = "ana"
    qtbot.addWidget(widget)
    widget.resize(1400, 850)
    widget.show()
    widget.refresh()
    qtbot.waitUntil(lambda: widget.state is not None and not jobs.running, timeout=10_000)
    yield widget
    widget.save_timer.stop()
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    jobs.shutdown()


def _cell(screen: MatrixScreen, handoff: str, segment: str):
    model = screen.model
    handoffs = [h["key"] for h in screen.draft.doc["handoffs"]]
    segments = [s["key"] for s in screen.draft.doc["segments"]]
    return model.index(handoffs.index(handoff), segments.index(segment))


def test_targets_split_into_amount_and_unit_and_back():
    assert split_target("1h30m") == (90, "m")
    assert split_target("3bd") == (3, "bd")
    assert split_target(7200) == (2, "h")
    assert split_target("14d") == (14, "d")
    assert join_target(90, "m") == "90m" and join_target(2.5, "h") == "2.5h"


def test_predicate_builder_round_trips_the_file_format():
    when = {
        "tier": "Enterprise",
        "amount": {"gte": 100000, "lt": 500000},
        "source": ["Partner", "Event"],
    }
    rows = predicate_rows(when)
    assert ("tier", "eq", "Enterprise") in rows and ("source", "in", ["Partner", "Event"]) in rows
    assert predicate_doc(rows) == {
        "tier": "Enterprise",
        "amount": {"gte": 100000, "lt": 500000},
        "source": {"in": ["Partner", "Event"]},
    }


def test_grid_model_passes_the_model_tester_and_shows_fallbacks(qtmodeltester, qapp):
    draft = MatrixDraft()
    from slaapp.engine.matrix_document import matrix_to_document

    doc = matrix_to_document(load_matrix(DEFAULT_MATRIX))
    draft.load(doc, doc, 1)
    model = MatrixGridModel(draft)
    qtmodeltester.check(model)
    assert model.rowCount() == len(doc["handoffs"]) and model.columnCount() == len(doc["segments"])
    segments = [s["key"] for s in doc["segments"]]
    handoffs = [h["key"] for h in doc["handoffs"]]
    first = model.index(handoffs.index("first_contact"), segments.index("enterprise"))
    assert first.data() == "1 h\nUS business"
    demo = model.index(handoffs.index("sql_demo"), segments.index("after_hours"))
    assert demo.data() == "default" and demo.data(RULE_ROLE) is None
    assert "falls back" in demo.data(Qt.ItemDataRole.ToolTipRole)


def test_editing_a_cell_in_place_then_undo_and_redo(qtbot, screen):
    index = _cell(screen, "first_contact", "enterprise")
    screen.grid.setCurrentIndex(index)
    screen.grid.edit(index)
    editor = screen.grid.findChild(RuleEditor)
    assert editor is not None and editor.amount.value() == 1 and editor.unit.currentData() == "h"
    editor.amount.setValue(30)
    editor.unit.setCurrentIndex(editor.unit.findData("m"))
    qtbot.keyClick(editor.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            screen.grid.findChild(RuleEditor) is None
            or not screen.grid.findChild(RuleEditor).isVisible()
        )
    )
    rules = screen.draft.doc["handoffs"][1]["rules"]
    assert rules["enterprise"]["target"] == "30m"
    assert index.data() == "30 min\nUS business"
    assert screen.draft.dirty and screen.publish_action.isEnabled()
    screen.undo_action.trigger()
    assert screen.draft.doc["handoffs"][1]["rules"]["enterprise"]["target"] == "1h"
    assert not screen.draft.dirty and not screen.publish_action.isEnabled()
    screen.redo_action.trigger()
    assert screen.draft.doc["handoffs"][1]["rules"]["enterprise"]["target"] == "30m"


def test_inline_validation_uses_the_engine_messages_and_blocks_publishing(qtbot, screen):
    screen.tabs.setCurrentIndex(0)  # the Handoff panel, inside its scroll area
    screen.grid.setCurrentIndex(_cell(screen, "first_contact", "enterprise"))
    screen.handoff_panel.warn_at.setText("50%, lots")
    screen.handoff_panel.warn_at.editingFinished.emit()
    assert screen.draft.problems
    assert any(p.path.startswith("$.handoffs[1].warn_at") for p in screen.draft.problems)
    assert "Assigned to first contact: warnings at, 2nd value: must be a number" in (
        screen.handoff_panel.problems.text()
    )
    assert not screen.publish_action.isEnabled()
    screen.draft.stack.undo()
    assert not screen.draft.problems


def test_falling_back_to_the_default_rule_is_one_undoable_edit(screen):
    index = _cell(screen, "first_contact", "partner_referral")
    assert screen.model.setData(index, None, RULE_ROLE)
    assert index.data() == "default"
    assert "partner_referral" not in screen.draft.doc["handoffs"][1]["rules"]
    screen.draft.stack.undo()
    assert index.data() == "1 h\nUS business"


def test_publish_with_note_and_signoffs_re_evaluates_and_records_history(qtbot, screen, database):
    screen.model.setData(_cell(screen, "first_contact", "default"), {"target": "3h"}, RULE_ROLE)
    with qtbot.waitSignal(screen.published, timeout=20_000) as done:
        screen.publish("Sales asked for 3 hours", None, False, ("Dana Kim (Sales)",))
    info = done.args[0].info
    assert info.number == 2 and info.signoffs == ("Dana Kim (Sales)",)
    with database.session() as session:
        latest, matrix = load_version(session)
        assert latest.note == "Sales asked for 3 hours"
        assert matrix.handoff("first_contact").rules["default"].target == "3h"
    qtbot.waitUntil(
        lambda: screen.state is not None and screen.state.latest.number == 2, timeout=10_000
    )
    assert not screen.draft.dirty
    entry = screen.state.versions[0]
    assert "Assigned to first contact, Everyone else: 2 h → 3 h" in entry.changes


def test_stale_publish_is_explained_and_resolved_without_losing_the_draft(qtbot, screen, database):
    screen.model.setData(_cell(screen, "sql_demo", "enterprise"), {"target": "6bd"}, RULE_ROLE)
    with database.session() as session:  # a colleague publishes meanwhile
        other = load_matrix(DEFAULT_MATRIX)
        publish(
            session, other, author="ben", now=1_800_000_000, base_version=1, note="Ben's change"
        )
    with qtbot.waitSignal(screen.conflict, timeout=20_000) as refused:
        screen.publish("mine", None, False, ())
    assert "published by ben" in refused.args[0]
    qtbot.waitUntil(lambda: not screen.banner.isHidden(), timeout=10_000)
    assert "ben" in screen.banner_text.text()
    assert screen.draft.doc["handoffs"][2]["rules"]["enterprise"]["target"] == "6bd"
    with database.session() as session:
        assert [v.number for v in history(session)] == [1, 2]
    screen.rebase()
    assert screen.draft.base_version == 2 and screen.banner.isHidden()
    with qtbot.waitSignal(screen.published, timeout=20_000) as done:
        screen.publish("mine, on top of Ben's", None, False, ())
    assert done.args[0].info.number == 3


def test_draft_survives_a_restart_of_the_screen(qtbot, screen, database):
    screen.model.setData(_cell(screen, "renewal", "default"), {"target": "21d"}, RULE_ROLE)
    screen._save_draft()
    qtbot.waitUntil(lambda: not screen.jobs.running, timeout=10_000)
    state = matrix_state(database, "ana")
    assert state.draft is not None and state.draft_base == 1
    assert state.draft["handoffs"][-1]["rules"]["default"]["target"] == "21d"


def test_import_replaces_the_draft_and_a_bad_file_changes_nothing(
    qtbot, screen, tmp_path, monkeypatch
):
    shown: list[str] = []
    monkeypatch.setattr(
        "slaapp.views.matrix.screen.QMessageBox.warning", lambda *a: shown.append(a[2])
    )
    bad = tmp_path / "bad.json"
    document = json.loads(DEFAULT_MATRIX.read_text())
    document["handoffs"][0]["rules"]["default"]["target"] = "soon"
    bad.write_text(json.dumps(document))
    before = screen.draft.doc
    screen.import_file(bad)
    assert screen.draft.doc == before
    assert "bad.json" in shown[0] and "$.handoffs[0].rules.default.target" in shown[0]
    good = tmp_path / "good.json"
    document["handoffs"][0]["rules"]["default"]["target"] = "45m"
    good.write_text(json.dumps(document))
    screen.import_file(good)
    assert screen.draft.doc["handoffs"][0]["rules"]["default"]["target"] == "45m"
    screen.draft.stack.undo()
    assert screen.draft.doc == before


def test_exports_the_file_and_the_agreement_as_pdf_and_png(screen, tmp_path):
    screen.export_file(tmp_path / "m.json")
    assert load_matrix(tmp_path / "m.json") == load_matrix(DEFAULT_MATRIX)
    screen.export_picture(tmp_path / "m.pdf")
    assert (tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"
    screen.export_picture(tmp_path / "m.png")
    from PySide6.QtGui import QImage

    image = QImage(str(tmp_path / "m.png"))
    assert image.width() == 1600 and image.height() > 400


def test_segment_reorder_and_calendar_edit_are_undoable(qtbot, screen):
    keys = [s["key"] for s in screen.draft.doc["segments"]]
    moved = [screen.draft.doc["segments"][i] for i in (1, 0, 2, 3)]
    screen.draft.set(("segments",), moved, "Reorder segments")
    assert [s["key"] for s in screen.draft.doc["segments"]] == [keys[1], keys[0], *keys[2:]]
    assert screen.model.headerData(0, Qt.Orientation.Horizontal) == moved[0]["name"]
    screen.tabs.setCurrentWidget(screen.calendars)
    screen.calendars.list.setCurrentRow(0)
    screen.calendars.days["sat"].setText("10:00-14:00")
    screen.calendars.days["sat"].editingFinished.emit()
    key = screen.calendars._key()
    assert screen.draft.doc["calendars"][key]["hours"]["sat"] == ["10:00-14:00"]
    screen.draft.stack.undo()
    assert "sat" not in screen.draft.doc["calendars"][key]["hours"]
    screen.draft.stack.undo()
    assert [s["key"] for s in screen.draft.doc["segments"]] == keys
