"""Matrix editor, issue 15: several stop events, the business time zone and the conversion events."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from slaapp.models.database import open_database
from slaapp.services.store import ensure_matrix
from slaapp.views.common.jobs import JobRunner
from slaapp.views.matrix.screen import MatrixScreen


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


def _select(screen: MatrixScreen, key: str) -> int:
    row = [h["key"] for h in screen.draft.doc["handoffs"]].index(key)
    screen.tabs.setCurrentIndex(0)
    screen.grid.setCurrentIndex(screen.model.index(row, 0))
    return row


def _type(edit, text: str) -> None:
    edit.setText(text)
    edit.editingFinished.emit()


def _zone(screen: MatrixScreen, text: str) -> None:
    screen.tabs.setCurrentIndex(2)  # "Calendars and zone"
    line = screen.matrix_fields.zone.lineEdit()
    assert line is not None
    _type(line, text)


def test_stop_takes_one_event_or_a_comma_separated_list(screen):
    row = _select(screen, "demo_proposal")
    panel = screen.handoff_panel
    assert panel.stop.text() == "proposal_sent"
    assert "several separated by commas: any of them stops the clock" in panel.stop.toolTip()

    _type(panel.stop, "proposal_sent, proposal_declined , proposal_sent")
    assert screen.draft.doc["handoffs"][row]["stop"] == ["proposal_sent", "proposal_declined"]
    assert not screen.draft.problems
    assert screen.draft.matrix is not None
    assert screen.draft.matrix.handoffs[row].stops == ("proposal_sent", "proposal_declined")
    assert panel.stop.text() == "proposal_sent, proposal_declined"
    tip = screen.model.headerData(row, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole)
    assert "proposal_sent or proposal_declined" in tip

    _type(panel.stop, "proposal_declined")
    assert screen.draft.doc["handoffs"][row]["stop"] == "proposal_declined"  # one event: a text
    screen.draft.stack.undo()  # edits of one field in a row are one undo step
    assert screen.draft.doc["handoffs"][row]["stop"] == "proposal_sent"
    assert panel.stop.text() == "proposal_sent"
    assert not screen.draft.dirty
    screen.draft.stack.redo()
    assert screen.draft.doc["handoffs"][row]["stop"] == "proposal_declined"
    assert panel.stop.text() == "proposal_declined"

    _type(panel.stop, " , ")
    assert any(p.path == f"$.handoffs[{row}].stop" for p in screen.draft.problems)
    assert panel.problems.isVisible() and "stops at" in panel.problems.text()
    assert not screen.publish_action.isEnabled()


def test_business_time_zone_is_set_cleared_and_defaults_from_the_calendars(screen):
    fields = screen.matrix_fields
    line = fields.zone.lineEdit()
    assert line is not None
    assert "first calendar with opening hours" in fields.zone.toolTip()
    assert line.placeholderText() == "default: America/New_York"
    assert fields.zone.findText("Europe/Berlin") >= 0  # the IANA zones to choose from

    _zone(screen, " Europe/Berlin ")
    assert screen.draft.doc["business_timezone"] == "Europe/Berlin"
    assert screen.draft.matrix is not None
    assert screen.draft.matrix.business_zone == "Europe/Berlin"
    assert not fields.problems.isVisible() and screen.publish_action.isEnabled()

    _zone(screen, "")
    assert "business_timezone" not in screen.draft.doc
    assert screen.draft.matrix is not None
    assert screen.draft.matrix.business_zone == "America/New_York"
    assert not screen.draft.dirty


def test_a_bad_business_time_zone_is_reported_and_blocks_publishing(screen):
    fields = screen.matrix_fields
    _zone(screen, "Mars/Olympus_Mons")
    assert screen.draft.doc["business_timezone"] == "Mars/Olympus_Mons"
    assert [p.path for p in screen.draft.problems] == ["$.business_timezone"]
    assert screen.draft.matrix is None
    assert fields.problems.isVisible()
    shown = fields.problems.text()
    assert "business time zone" in shown.lower() and "Mars/Olympus_Mons" in shown
    assert "Mars/Olympus_Mons" in screen.problems.text()  # the list under the matrix too
    assert not screen.publish_action.isEnabled()
    screen.draft.stack.undo()
    assert not screen.draft.problems and not fields.problems.isVisible()


def test_conversion_events_one_several_or_the_default(screen):
    fields = screen.matrix_fields
    screen.tabs.setCurrentIndex(2)
    assert screen.tabs.tabText(2) == "Calendars and zone"
    assert fields.conversion.placeholderText() == "closed_won"
    assert "Empty = closed_won" in fields.conversion.toolTip()

    _type(fields.conversion, "closed_won, renewal_signed")
    assert screen.draft.doc["conversion"] == ["closed_won", "renewal_signed"]
    assert screen.draft.matrix is not None
    assert screen.draft.matrix.conversion_events == ("closed_won", "renewal_signed")

    _type(fields.conversion, "renewal_signed")
    assert screen.draft.doc["conversion"] == "renewal_signed"
    assert screen.draft.matrix is not None
    assert screen.draft.matrix.conversion_events == ("renewal_signed",)

    _type(fields.conversion, "  ")
    assert "conversion" not in screen.draft.doc
    assert screen.draft.matrix is not None
    assert screen.draft.matrix.conversion_events == ("closed_won",)
    assert not screen.draft.dirty


def test_the_fields_show_what_a_loaded_draft_says(screen):
    doc = {**screen.draft.doc, "business_timezone": "Asia/Tokyo", "conversion": ["a", "b"]}
    doc["handoffs"] = [dict(h) for h in doc["handoffs"]]
    doc["handoffs"][0]["stop"] = ["assigned", "disqualified_late"]
    screen.draft.replace(doc, "Load a file")
    _select(screen, doc["handoffs"][0]["key"])
    assert screen.matrix_fields.zone.currentText() == "Asia/Tokyo"
    assert screen.matrix_fields.conversion.text() == "a, b"
    assert screen.handoff_panel.stop.text() == "assigned, disqualified_late"


def test_event_lists_complete_the_name_being_typed(screen):
    _select(screen, "demo_proposal")
    names = screen.handoff_panel.stop_names
    names.set_names(("closed_won", "proposal_declined", "proposal_sent"))
    screen.handoff_panel.stop.setText("proposal_sent, PROPOSAL_D")
    names.setCompletionPrefix(names.splitPath(screen.handoff_panel.stop.text())[0])
    assert names.currentIndex().data() == "proposal_declined"
    assert names.currentCompletion() == "proposal_sent, proposal_declined"
    conversion = screen.matrix_fields.conversion_names
    screen.matrix_fields.set_events(("closed_won", "renewal_signed"))
    screen.matrix_fields.conversion.setText("ren")
    conversion.setCompletionPrefix(conversion.splitPath("ren")[0])
    assert conversion.currentCompletion() == "renewal_signed"
