"""Rolling back shows its changes first and asks for a note and sign-offs like a publish."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from slaapp.models.matrices import load_version
from slaapp.views.matrix.dialogs import HistoryDialog, PublishDialog
from slaapp.views.matrix.grid import RULE_ROLE
from tests.gui.test_matrix_editor import _cell, database, screen  # noqa: F401 (fixtures)


def test_rollback_asks_for_a_note_shows_the_diff_and_records_it(
    qtbot,
    screen,  # noqa: F811
    database,  # noqa: F811
    monkeypatch,
) -> None:
    screen.model.setData(_cell(screen, "first_contact", "default"), {"target": "3h"}, RULE_ROLE)
    with qtbot.waitSignal(screen.published, timeout=20_000):
        screen.publish("Sales asked for 3 hours", None, False, ())
    qtbot.waitUntil(lambda: screen.state is not None and screen.state.latest.number == 2)
    history = HistoryDialog(screen.state.versions, screen)
    history.list.setCurrentRow(1)  # version 1, the oldest
    assert "covers all history" in history.detail.toPlainText()
    assert "1970" not in history.detail.toPlainText()
    seen: list[PublishDialog] = []

    def answer(dialog: PublishDialog) -> int:
        seen.append(dialog)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        assert ok.text() == "Roll back" and not ok.isEnabled()  # no note, no rollback
        dialog.note.setPlainText("3 hours doubled the breaches")
        assert ok.isEnabled()
        return PublishDialog.DialogCode.Accepted

    monkeypatch.setattr(PublishDialog, "exec", answer)
    with qtbot.waitSignal(screen.published, timeout=20_000) as done:
        screen.choose_roll_back(1)
    assert seen and "Assigned to first contact, Everyone else: 3 h → 2 h" in (
        seen[0].summary.toPlainText()
    )
    assert done.args[0].info.number == 3
    with database.session() as session:
        latest, matrix = load_version(session)
    assert latest.note == "Roll back to version 1: 3 hours doubled the breaches"
    assert matrix.handoff("first_contact").rules["default"].target == "2h"
