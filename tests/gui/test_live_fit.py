"""At 1280x720 every column of the live table fits its viewport: no horizontal scrolling."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from slaapp.app import build_services
from slaapp.models.database import open_database
from slaapp.services.demo_org import load_demo
from slaapp.views.live.clock_model import OWNER, RECORD
from slaapp.views.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'fit.db'}")
    load_demo(database, days=21)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(build_services(database, settings))
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.live.ticker.stop()
    qtbot.waitUntil(lambda: not win.jobs.running, timeout=30_000)
    win.close()
    database.dispose()


def test_every_live_column_fits_1280x720_and_tooltips_keep_the_whole_text(qtbot, window):
    with qtbot.waitSignal(window.refreshed, timeout=60_000):
        window.refresh()
    table, model = window.live.table, window.live.model
    qtbot.waitUntil(lambda: bool(window.live._natural), timeout=5_000)
    qtbot.wait(50)  # the fit that follows showing or hiding the risk column
    assert model.rowCount() > 0
    assert table.horizontalScrollBar().maximum() == 0
    shown = [c for c in range(model.columnCount()) if not table.isColumnHidden(c)]
    assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width()
    for column in shown:  # no column squeezed to nothing
        assert table.columnWidth(column) >= 40, model.headerData(column, Qt.Orientation.Horizontal)
    for column in (RECORD, OWNER):
        index = model.index(0, column)
        assert model.data(index, Qt.ItemDataRole.ToolTipRole) == model.data(index)
    window.resize(1600, 900)  # a wider window gives the text columns their width back
    qtbot.waitUntil(
        lambda: (
            table.columnWidth(OWNER) >= window.live._natural[OWNER]
            or table.horizontalScrollBar().maximum() == 0
        )
    )
    assert table.horizontalScrollBar().maximum() == 0
