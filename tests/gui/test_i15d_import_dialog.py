"""The desktop import shows the import summary: a window listing the findings, a status line."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog

from slaapp.app import build_services
from slaapp.engine.eventlog import event_log_from_columns
from slaapp.importers.bundled import RESOURCES
from slaapp.services.store import store_log
from slaapp.views.live.import_dialog import ImportSummaryDialog, import_message
from slaapp.views.main_window import MainWindow

EVENTS = (
    "record_id,event,occurred_at,tier,source\n"
    "L-1,mql,2026-03-02T15:00:00Z,SMB,Website\n"
    "L-1,webinar_attended,2026-03-02T16:00:00Z,,\n"
    "L-2,webinar_attended,2026-03-03T16:00:00Z,SMB,Website\n"
    "L-3,assigned,2026-03-01T15:00:00Z,SMB,Website\n"  # assigned before the MQL
    "L-3,mql,2026-03-04T15:00:00Z,,\n"
)


@pytest.fixture
def window(qtbot, database, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(build_services(database, settings))
    qtbot.addWidget(win)
    yield win
    win.timer.stop()
    qtbot.waitUntil(lambda: not win.jobs.running)


def test_an_import_with_findings_opens_the_summary_window(qtbot, window, tmp_path) -> None:
    path = tmp_path / "march.csv"
    path.write_text(EVENTS)
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        window.import_file(path)
    qtbot.waitUntil(lambda: window.findChild(QDialog, "importSummary") is not None)
    dialog = window.findChild(QDialog, "importSummary")
    assert isinstance(dialog, ImportSummaryDialog)
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.windowTitle() == "Import summary: march.csv"
    assert dialog.counts.text().startswith("march.csv: 5 events added")
    lines = dialog.lines()
    assert "events no handoff uses: webinar_attended (2)" in lines
    assert any(line.startswith("data problem: 1 record of ") and "L-3" in line for line in lines)
    dialog.close()


def test_a_clean_import_opens_no_window_and_says_so_in_the_status(qtbot, window) -> None:
    sample = RESOURCES / "samples" / "events-sample.csv"
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        window.import_file(sample)
    assert window.findChild(QDialog, "importSummary") is None


def test_the_status_line_counts_findings(qtbot, database) -> None:
    log = event_log_from_columns(["A"], ["unknown_event"], [1_764_500_000])
    result = store_log(database, log, source="import", at=1_764_500_000)
    assert import_message(result).endswith("; import summary: 1 finding")
    dialog = ImportSummaryDialog("x.csv", result)
    qtbot.addWidget(dialog)
    assert dialog.lines() == ["events no handoff uses: unknown_event (1)"]
