"""The main window loads and refreshes clocks on a worker thread; its table sorts, filters, colours."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from slaapp.engine.clocks import BREACHED, OPEN_STATUSES, evaluate
from slaapp.engine.events import read_events
from slaapp.engine.matrix_file import load_matrix
from slaapp.models.database import open_database
from slaapp.models.jobs import DEFAULT_MATRIX, RESOURCES
from slaapp.views.clock_model import OWNER, REMAINING, SEGMENT, STATUS, ClockTableModel
from slaapp.views.main_window import MainWindow

SAMPLE_EVENTS = RESOURCES / "samples" / "events-sample.csv"


@pytest.fixture
def settings(tmp_path):
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield store
    store.sync()


@pytest.fixture
def database(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'gui.db'}")
    yield db
    db.dispose()


@pytest.fixture
def window(qtbot, database, settings):
    win = MainWindow(database, settings)
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
    assert not window.empty.isHidden()
    assert window.model.rowCount() == 0
    qtbot.waitUntil(window.empty_demo.isEnabled)
    with qtbot.waitSignal(window.refreshed, timeout=60_000) as loaded:
        window.empty_demo.click()
    live = loaded.args[0]
    assert live.records > 10_000 and len(live.clocks) > live.records
    assert window.empty.isHidden()
    assert window.filter.currentText() == "Open"
    assert window.model.rowCount() == int(np.isin(live.clocks.status, OPEN_STATUSES).sum()) > 0
    window.filter.setCurrentText("All clocks")
    assert window.model.rowCount() == len(live.clocks)
    segments = {
        window.model.index(r, SEGMENT).data() for r in range(min(window.model.rowCount(), 3000))
    }
    assert "Everyone else" in segments and "default" not in segments
    assert "breached" in window.summary.text()


def test_importing_a_file_stores_it_and_shows_its_clocks(qtbot, window, sample_clocks):
    with qtbot.waitSignal(window.refreshed, timeout=20_000) as done:
        window.import_file(SAMPLE_EVENTS)
    live = done.args[0]
    assert live.records == 60 and len(live.clocks) == len(sample_clocks)
    window.filter.setCurrentText("All clocks")
    assert window.model.rowCount() == len(sample_clocks)


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
