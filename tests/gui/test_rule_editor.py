"""The matrix rule editor: Tab reaches every field, wrong amounts are refused with a reason, it fits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from slaapp.engine.durations import business_time, describe_duration
from slaapp.views.matrix.delegate import RuleEditor, amount_problem
from tests.gui.test_matrix_editor import _cell, database, screen  # noqa: F401 (fixtures)


def _open(qtbot, screen, handoff: str, segment: str) -> RuleEditor:  # noqa: F811
    index = _cell(screen, handoff, segment)
    screen.grid.setCurrentIndex(index)
    screen.grid.edit(index)
    editor = screen.grid.findChild(RuleEditor)
    assert editor is not None
    qtbot.waitUntil(editor.isVisible)
    editor.amount.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.amount)
    return editor


def test_amounts_are_refused_with_a_reason_never_rewritten() -> None:
    assert "not a number" in amount_problem("2x")
    assert "negative" in amount_problem("-5")
    assert "Type the target's amount" in amount_problem("  ")
    assert "longer than zero" in amount_problem("0")
    assert amount_problem("1.5") == "" and amount_problem("90") == ""


def test_tab_moves_through_amount_unit_calendar_and_at_risk(qtbot, screen) -> None:  # noqa: F811
    editor = _open(qtbot, screen, "first_contact", "default")
    seen = [QApplication.focusWidget()]
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen[0] is editor.amount and seen[1] is editor.unit
    assert seen[2] is editor.calendar
    assert seen[3] is editor.at_risk or editor.at_risk.isAncestorOf(seen[3])
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is editor.calendar
    # The whole editor is inside the grid, also for the right-most column.
    viewport = screen.grid.viewport()
    assert editor.geometry().right() <= viewport.width()
    assert editor.geometry().bottom() <= viewport.height()


def test_a_wrong_amount_keeps_the_editor_open_and_the_rule_unchanged(qtbot, screen) -> None:  # noqa: F811
    before = screen.draft.doc["handoffs"][1]["rules"]["default"]["target"]
    editor = _open(qtbot, screen, "first_contact", "default")
    editor.amount.selectAll()
    qtbot.keyClicks(editor.amount, "2x")
    assert editor.amount.text() == "2x"  # kept as typed
    assert "not a number" in editor.reason.text()
    qtbot.keyClick(editor.amount, Qt.Key.Key_Return)
    assert editor.isVisible() and editor.amount.text() == "2x"
    assert screen.draft.doc["handoffs"][1]["rules"]["default"]["target"] == before
    editor.amount.clear()
    assert "Type the target's amount" in editor.reason.text()
    qtbot.keyClick(editor.amount, Qt.Key.Key_Return)
    assert editor.isVisible()
    # 90 hours on the business calendar says what it means before it is saved.
    qtbot.keyClicks(editor.amount, "90")
    editor.unit.setCurrentIndex(editor.unit.findData("h"))
    per_day = screen.draft.doc["calendars"]["us_business"].get("hours_per_day", 8)
    expected = describe_duration(90 * 3600, business_time(per_day))
    assert "business day" in expected and editor.reason.text().startswith(f"= {expected}")
    qtbot.keyClick(editor.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert screen.draft.doc["handoffs"][1]["rules"]["default"]["target"] == "90h"
    assert _cell(screen, "first_contact", "default").data().startswith(expected)


def test_a_new_segment_takes_its_key_from_its_name(qtbot, screen) -> None:  # noqa: F811
    screen.segments._add()
    screen.segments.name.setText("Inbound partners")
    screen.segments.name.editingFinished.emit()
    keys = [s["key"] for s in screen.draft.doc["segments"]]
    assert "inbound_partners" in keys and not any(k.startswith("segment_") for k in keys)
    assert screen.segments.key.text() == "inbound_partners"
    screen.draft.stack.undo()  # the rename is one undoable step
    assert any(k.startswith("segment_") for k in (s["key"] for s in screen.draft.doc["segments"]))


def test_the_status_line_counts_changes_and_problems_apart(qtbot, screen) -> None:  # noqa: F811
    screen.handoff_panel.warn_at.setText("50%, lots, more")
    screen.grid.setCurrentIndex(_cell(screen, "first_contact", "enterprise"))
    screen.handoff_panel.warn_at.setText("50%, lots, more")
    screen.handoff_panel.warn_at.editingFinished.emit()
    text = screen.status.text()
    assert "with 1 unpublished change " in text or "with 1 unpublished change<" in text
    assert f"{len(screen.draft.problems)} problem" in text and len(screen.draft.problems) >= 2
