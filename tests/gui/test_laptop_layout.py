"""Every screen fits a 1280x720 laptop: its minimum size leaves room for the navigation and chrome."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView

from slaapp.app import build_services
from slaapp.models.database import open_database
from slaapp.services.demo_org import load_demo
from slaapp.views.common.elided import ElidedLabel
from slaapp.views.main_window import MainWindow

SCREEN_W, SCREEN_H = 1280, 720
TITLE_BAR = 32  # a window manager's title bar on a 720 px high screen


@pytest.fixture
def window(qtbot, tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'laptop.db'}")
    load_demo(database, days=21)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(build_services(database, settings))
    qtbot.addWidget(win)
    win.resize(SCREEN_W, SCREEN_H - TITLE_BAR)
    win.show()
    yield win
    qtbot.waitUntil(lambda: not win.jobs.running, timeout=30_000)
    win.close()
    database.dispose()


def test_every_screen_fits_1280x720_with_demo_data(qtbot, window) -> None:
    window.refresh()
    qtbot.waitUntil(lambda: not window.jobs.running, timeout=60_000)
    chrome_w = window.nav.width()
    for label, _ in window.screens:
        screen = window.show_screen(label)
        # Settings builds its sections one per event-loop turn: measured once all are there.
        qtbot.waitUntil(
            lambda s=screen: not window.jobs.running and getattr(s, "built", True),
            timeout=60_000,
        )
        hint = screen.widget().minimumSizeHint()
        assert hint.width() <= SCREEN_W - chrome_w, (label, hint)
        assert hint.height() <= SCREEN_H - TITLE_BAR - 90, (label, hint)  # menu + status bars
        whole = window.minimumSizeHint()
        assert whole.width() <= SCREEN_W and whole.height() <= SCREEN_H - TITLE_BAR, (label, whole)
        assert window.width() <= SCREEN_W, label  # no screen widened the window
        views = screen.widget().findChildren(QAbstractItemView)
        assert not [v for v in views if v.tabKeyNavigation()], label  # Tab leaves every table
    assert window.nav.accessibleName() == "Screens"


def test_long_messages_elide_instead_of_widening(qtbot) -> None:
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.resize(200, 30)
    before = label.minimumSizeHint().width()
    text = "hubspot synced 14:00 New York time · " * 20
    label.setText(text)
    assert label.minimumSizeHint().width() == before < 200
    assert label.toolTip() == text
    assert label.elided().endswith("…") and len(label.elided()) < len(text)


def test_enter_opens_the_record_and_tab_leaves_the_table(qtbot, window, monkeypatch) -> None:
    window.refresh()
    qtbot.waitUntil(lambda: window.live.model.rowCount() > 0, timeout=60_000)
    opened: list[int] = []
    monkeypatch.setattr(window.live, "open_row", opened.append)
    table = window.live.table
    table.setFocus()
    table.setCurrentIndex(window.live.model.index(2, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened == [2]
    assert not table.tabKeyNavigation()


def test_the_wheel_over_a_chart_scrolls_the_dashboard(qtbot, window) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QScrollArea

    from slaapp.views.common.chart_base import ChartCard

    screen = window.show_screen("Dashboard")
    qtbot.waitUntil(lambda: not window.jobs.running, timeout=60_000)
    card = screen.widget().findChildren(ChartCard)[0]
    area = next(a for a in screen.widget().findChildren(QScrollArea) if a.isAncestorOf(card))
    bar = area.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    event = QWheelEvent(
        QPointF(10, 10), QPointF(10, 10), QPoint(0, 0), QPoint(0, -120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
        False,
    )  # fmt: skip
    QApplication.sendEvent(card.plot.viewport(), event)
    assert bar.value() == 120


def test_an_exported_chart_is_2x_without_buttons_and_says_its_period(qtbot, window, tmp_path):
    from PySide6.QtGui import QImage

    from slaapp.views.common.chart_base import ChartCard

    screen = window.show_screen("Dashboard")
    qtbot.waitUntil(lambda: not window.jobs.running, timeout=60_000)
    card = screen.widget().findChildren(ChartCard)[0]
    assert "judged at" in card.export_context and "clocks" in card.export_context
    path = tmp_path / "chart.png"
    assert card.export_png(path)
    image = QImage(str(path))
    assert image.width() == 2 * card.width() and image.height() > 2 * card.height()
    assert card.export_button.isVisible()  # shown again after the picture
