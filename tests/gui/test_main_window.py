"""The main window loads and refreshes clocks on a worker thread; its table sorts, filters, colours."""

from __future__ import annotations

import csv
from datetime import date

import numpy as np
import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from slaapp.app import build_services
from slaapp.engine.clocks import BREACHED, OPEN_STATUSES, evaluate
from slaapp.importers.bundled import DEFAULT_MATRIX, RESOURCES
from slaapp.importers.event_file import read_events
from slaapp.importers.matrix_file import load_matrix
from slaapp.notify.email import SmtpSettings
from slaapp.reports.schedule import WeeklySchedule
from slaapp.services.live_view import HISTORY_SECONDS
from slaapp.services.scorecard_delivery import save_schedule, save_smtp_settings
from slaapp.views.live.clock_model import DUE, OWNER, REMAINING, SEGMENT, STATUS, ClockTableModel
from slaapp.views.main_window import MainWindow
from slaapp.views.scorecards.export_dialog import ExportChoice, ExportDialog
from slaapp.views.scorecards.schedule_dialog import ScheduleDialog

from ..integration.smtp_server import PASSWORD, USER, smtp_server

SAMPLE_EVENTS = RESOURCES / "samples" / "events-sample.csv"


@pytest.fixture
def settings(tmp_path):
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield store
    store.sync()


@pytest.fixture
def window(qtbot, database, settings):
    win = MainWindow(build_services(database, settings))
    qtbot.addWidget(win)
    yield win
    win.timer.stop()
    qtbot.waitUntil(lambda: not win.jobs.running)


@pytest.fixture
def sample_clocks():
    log = read_events(SAMPLE_EVENTS).log
    return evaluate(load_matrix(DEFAULT_MATRIX), log, int(log.occurred_at.max()))


def test_model_passes_qt_model_tester_and_sorts_in_numpy(qtmodeltester, sample_clocks):
    model = ClockTableModel()
    model.set_clocks(sample_clocks, {})
    qtmodeltester.check(model)
    model.sort(REMAINING, Qt.SortOrder.AscendingOrder)
    remaining = [
        int(sample_clocks.remaining[model.clock_index(r)]) for r in range(model.rowCount())
    ]
    assert remaining == sorted(remaining)
    model.sort(OWNER, Qt.SortOrder.DescendingOrder)
    owners = [model.index(r, OWNER).data() for r in range(model.rowCount())]
    named = [o.lower() for o in owners if o != "—"]
    assert named == sorted(named, reverse=True)
    qtmodeltester.check(model)


def test_model_filters_by_status_and_search(sample_clocks):
    model = ClockTableModel()
    model.set_clocks(sample_clocks, {})
    model.set_filter(frozenset({BREACHED}), "")
    assert model.rowCount() == int(np.sum(sample_clocks.status == BREACHED)) > 0
    assert {model.index(r, STATUS).data() for r in range(model.rowCount())} == {"Breached"}
    model.set_filter(frozenset(OPEN_STATUSES), "ANA.RUIZ")
    assert {model.index(r, OWNER).data() for r in range(model.rowCount())} == {"ana.ruiz@acme.test"}
    assert sum(model.counts().values()) == model.rowCount()


def test_empty_database_offers_the_demo_and_loading_it_fills_the_table(qtbot, window):
    with qtbot.waitSignal(window.refreshed, timeout=20_000) as first:
        window.start()
    assert first.args == [None]
    assert not window.live.empty.isHidden()
    assert window.live.model.rowCount() == 0
    qtbot.waitUntil(window.live.empty_demo.isEnabled)
    with qtbot.waitSignal(window.refreshed, timeout=60_000) as loaded:
        window.live.empty_demo.click()
    live = loaded.args[0]
    # Open clocks and those closed in the last 7 days; older history stays in the database.
    c = live.clocks
    closed = ~np.isin(c.status, OPEN_STATUSES)
    assert live.records > 10_000 and closed.sum() > 1000 and (~closed).sum() > 100
    assert (c.stopped_at[closed] >= live.as_of - HISTORY_SECONDS).all()
    assert window.live.empty.isHidden()
    assert window.live.status_filter.currentText() == "Open"
    assert window.live.model.rowCount() == int(np.isin(live.clocks.status, OPEN_STATUSES).sum()) > 0
    window.live.status_filter.setCurrentText("Open and last 7 days")
    assert window.live.model.rowCount() == len(live.clocks)
    segments = {
        window.live.model.index(r, SEGMENT).data()
        for r in range(min(window.live.model.rowCount(), 3000))
    }
    assert "Everyone else" in segments and "default" not in segments
    assert "breached" in window.live.summary.text()


def test_importing_a_file_stores_it_and_shows_its_clocks(qtbot, window, sample_clocks):
    with qtbot.waitSignal(window.refreshed, timeout=20_000) as done:
        window.import_file(SAMPLE_EVENTS)
    live = done.args[0]
    # Every clock of the file still open now, and those it closed in the last 7 days.
    still_open = np.isin(sample_clocks.status, OPEN_STATUSES)
    recent = sample_clocks.closed & (sample_clocks.stopped_at >= live.as_of - HISTORY_SECONDS)
    assert live.records == 60 and len(live.clocks) == int((still_open | recent).sum())
    window.live.status_filter.setCurrentText("Open and last 7 days")
    assert window.live.model.rowCount() == len(live.clocks)


def test_a_bad_file_is_reported_in_plain_words_and_nothing_is_stored(qtbot, window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,event,when\nL-1,mql,2026-01-01T00:00:00Z\n")
    with qtbot.waitSignal(window.failed, timeout=20_000) as blocker:
        window.import_file(bad)
    assert "occurred_at" in blocker.args[0] and "bad.csv" in blocker.args[0]
    qtbot.waitUntil(lambda: not window.jobs.running)
    with qtbot.waitSignal(window.refreshed, timeout=20_000) as after:
        window.refresh()
    assert after.args == [None]


def test_export_dialog_defaults_to_last_full_week_and_checks_input(qtbot, tmp_path):
    dialog = ExportDialog(["SDR", "AE"], tmp_path, date(2026, 11, 27))
    qtbot.addWidget(dialog)
    choice = dialog.choice()
    assert (choice.first, choice.last, choice.team) == (
        date(2026, 11, 16),
        date(2026, 11, 22),
        None,
    )
    assert choice.path == tmp_path / "slaapp-scorecard-2026-11-16.xlsx"
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    dialog.last.setDate(dialog.first.date().addDays(-1))
    assert not ok.isEnabled()
    dialog.last.setDate(dialog.first.date())
    dialog.path.setText(str(tmp_path / "scorecard.pdf"))
    assert not ok.isEnabled()
    dialog.path.setText(str(tmp_path / "scorecard.xlsx"))
    dialog.team.setCurrentText("SDR")
    assert ok.isEnabled() and dialog.choice().team == "SDR"


def test_scorecard_export_runs_off_the_gui_thread_with_progress(qtbot, window, tmp_path):
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        window.import_file(SAMPLE_EVENTS)
    qtbot.waitUntil(lambda: not window.jobs.running)
    window.screen("Scorecards").open_exports = False
    seen: list[int] = []
    window.screen("Scorecards").progress.valueChanged.connect(seen.append)
    target = tmp_path / "week.xlsx"
    with qtbot.waitSignal(window.exported, timeout=60_000) as done:
        window.screen("Scorecards").export(
            ExportChoice(date(2026, 11, 16), date(2026, 11, 22), None, target)
        )
    assert done.args[0].path == target and target.exists()
    assert seen and max(seen) == 100
    workbook = load_workbook(target, read_only=True)
    assert "Summary" in workbook.sheetnames and "Breaches" in workbook.sheetnames
    workbook.close()
    qtbot.waitUntil(lambda: not window.jobs.running)
    assert window.screen("Scorecards").progress.isHidden()


def test_table_exports_the_visible_rows_as_csv(qtbot, window, tmp_path):
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        window.import_file(SAMPLE_EVENTS)
    qtbot.waitUntil(lambda: not window.jobs.running)
    window.live.status_filter.setCurrentText("Breached")
    target = tmp_path / "breached.csv"
    with qtbot.waitSignal(window.exported, timeout=20_000):
        window.export_csv(target)
    with target.open(encoding="utf-8-sig") as written:
        rows = list(csv.DictReader(written))
    assert len(rows) == window.live.model.rowCount() > 0
    assert {r["status"] for r in rows} == {"breached"}


def test_schedule_dialog_validates_and_starts_from_now(qtbot, tmp_path):
    dialog = ScheduleDialog(WeeklySchedule(timezone="America/New_York"), ["SDR"], None)
    qtbot.addWidget(dialog)
    dialog.recipients.setText("vp@acme.test, nobody")
    dialog.folder.setText(str(tmp_path))
    dialog._save()
    assert "Not an email address: nobody" in dialog.problem.text()
    dialog.recipients.setText("vp@acme.test")
    dialog.day.setCurrentIndex(4)
    dialog.team.setCurrentText("SDR")
    dialog._save()
    assert dialog.result() == ScheduleDialog.DialogCode.Accepted
    chosen = dialog.schedule(123)
    assert (chosen.weekday, chosen.at, chosen.recipients, chosen.team, chosen.starts_at) == (
        4,
        "08:00",
        ("vp@acme.test",),
        "SDR",
        123,
    )
    assert chosen.last_sent is None  # never sent: the screen must not say it was


def test_due_weekly_scorecard_is_written_and_mailed_by_the_running_app(
    qtbot, window, tmp_path, monkeypatch
):
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        window.import_file(SAMPLE_EVENTS)
    qtbot.waitUntil(lambda: not window.jobs.running)
    with smtp_server(tmp_path) as (mailbox, port, ca_file):
        save_smtp_settings(
            window.database, SmtpSettings("127.0.0.1", port, USER, USER, True, str(ca_file)), 0
        )
        monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", PASSWORD)
        save_schedule(
            window.database,
            WeeklySchedule(
                0, "08:00", "America/New_York", ("vp@acme.test",), None, str(tmp_path), True, 0
            ),
            0,
        )
        with qtbot.waitSignal(window.exported, timeout=60_000) as sent:
            window.check_schedule()
        assert sent.args[0].recipients == ("vp@acme.test",)
        assert len(mailbox.received) == 1
        qtbot.waitUntil(lambda: not window.jobs.running)
        window.check_schedule()  # already sent this week: nothing more goes out
        qtbot.waitUntil(lambda: not window.jobs.running)
        assert len(mailbox.received) == 1


def test_due_column_explains_each_due_time(qtbot, window):
    with qtbot.waitSignal(window.refreshed, timeout=20_000) as done:
        window.import_file(SAMPLE_EVENTS)
    live = done.args[0]
    window.live.status_filter.setCurrentText("Open and last 7 days")
    texts = [
        window.live.model.index(r, DUE).data(Qt.ItemDataRole.ToolTipRole)
        for r in range(window.live.model.rowCount())
    ]
    assert all(
        t and t.startswith("started ") and ("due " in t or "no due time" in t) for t in texts
    )
    assert any("outside hours" in t for t in texts)
    assert len(texts) == len(live.clocks)


def test_first_run_on_an_empty_database_shows_the_demo_once_and_it_can_be_removed(
    qtbot, window, monkeypatch
):
    from slaapp.models.tables import Person, Record

    with qtbot.waitSignal(
        window.refreshed, timeout=60_000, check_params_cb=lambda live: live is not None
    ) as shown:
        window.start(first_run_demo=True)
    assert shown.args[0].records > 10_000
    assert window.settings.value("demo_offered") in (True, "true")
    qtbot.waitUntil(lambda: not window.jobs.running, timeout=60_000)
    monkeypatch.setattr(
        "slaapp.views.main_window.QMessageBox.question",
        lambda *args: QMessageBox.StandardButton.Yes,
    )
    with qtbot.waitSignal(window.refreshed, timeout=60_000) as emptied:
        window.remove_demo()
    assert emptied.args == [None]
    # Nothing of the removed org keeps ticking in the live table.
    assert window.live.model.rowCount() == 0 and window.live.model.clocks() is None
    assert window.live.owner.count() == 1 and window.live.chips.text() == ""
    with window.database.session() as session:
        assert session.query(Record).count() == 0 and session.query(Person).count() == 0
    qtbot.waitUntil(lambda: not window.jobs.running, timeout=60_000)
    with qtbot.waitSignal(window.refreshed, timeout=30_000) as again:
        window.start(first_run_demo=True)  # the demo is offered once, not forced back
    assert again.args == [None]
