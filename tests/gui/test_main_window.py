"""The main window evaluates on a worker thread and its table sorts, filters and colours clocks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from slaapp.app import DEFAULT_MATRIX, SAMPLE_EVENTS
from slaapp.engine.clocks import BREACHED, OPEN_STATUSES, evaluate
from slaapp.engine.events import read_events
from slaapp.engine.matrix_file import load_matrix
from slaapp.views.clock_model import DUE, OWNER, REMAINING, SEGMENT, STATUS, ClockTableModel
from slaapp.views.main_window import MainWindow


@pytest.fixture
def settings(tmp_path):
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield store
    store.sync()


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
    assert [o.lower() for o in owners if o != "—"] == sorted(
        (o.lower() for o in owners if o != "—"), reverse=True
    )
    qtmodeltester.check(model)


def test_model_filters_by_status_and_search(sample_clocks):
    model = ClockTableModel()
    model.set_clocks(sample_clocks, {})
    model.set_filter(frozenset({BREACHED}), "")
    assert model.rowCount() == int(np.sum(sample_clocks.status == BREACHED)) > 0
    assert {model.index(r, STATUS).data() for r in range(model.rowCount())} == {"Breached"}
    model.set_filter(frozenset(OPEN_STATUSES), "ANA.RUIZ")
    owners = {model.index(r, OWNER).data() for r in range(model.rowCount())}
    assert owners == {"ana.ruiz@acme.test"}
    assert model.counts() and sum(model.counts().values()) == model.rowCount()


def test_window_evaluates_off_the_gui_thread_and_shows_clocks(qtbot, settings):
    window = MainWindow(DEFAULT_MATRIX, SAMPLE_EVENTS, settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.evaluated, timeout=10000) as blocker:
        window.start_evaluation()
    result = blocker.args[0]
    assert window.filter.currentText() == "Open"
    assert 0 < window.model.rowCount() < len(result.clocks)
    assert window.model.rowCount() == int(np.isin(result.clocks.status, OPEN_STATUSES).sum())
    window.filter.setCurrentText("All clocks")
    assert window.model.rowCount() == len(result.clocks) > 100
    segments = {window.model.index(r, SEGMENT).data() for r in range(window.model.rowCount())}
    assert "Inbound after hours" in segments and "after_hours" not in segments
    assert "breached" in window.summary.text()
    qtbot.waitUntil(lambda: window._thread is None)
    window.table.sortByColumn(DUE, Qt.SortOrder.AscendingOrder)
    assert window.model.rowCount() > 0


def test_window_reports_a_bad_matrix_in_plain_words(qtbot, settings, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        Path(DEFAULT_MATRIX).read_text().replace('"target": "1h"', '"target": "soon"', 1)
    )
    window = MainWindow(bad, SAMPLE_EVENTS, settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.failed, timeout=10000) as blocker:
        window.start_evaluation()
    assert "'soon' is not a duration" in blocker.args[0]
    assert window.model.rowCount() == 0
    qtbot.waitUntil(lambda: window._thread is None)
