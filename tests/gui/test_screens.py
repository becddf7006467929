"""Every screen is a `Screen`: the window titles, stacks, refreshes, wires and stops them through it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from slaapp.app import build_services
from slaapp.models.database import open_database
from slaapp.views.common.screen import Screen
from slaapp.views.main_window import MainWindow

LABELS = ["Live handoffs", "Dashboard", "SLA matrix", "Insights", "Alerts", "Scorecards",
          "People", "Connections", "Settings"]  # fmt: skip


@pytest.fixture
def window(qtbot, tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'screens.db'}")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(build_services(database, settings))
    qtbot.addWidget(win)
    yield win
    qtbot.waitUntil(lambda: not win.jobs.running, timeout=20_000)
    win.close()
    database.dispose()


def _settle(qtbot, window: MainWindow) -> None:
    """No job running and every screen built (Settings builds a section per event-loop turn,
    then loads the display zone)."""
    qtbot.waitUntil(
        lambda: (
            not window.jobs.running
            and all(getattr(s, "built", True) for s in window.built.values())
        ),
        timeout=20_000,
    )


def test_every_screen_is_shown_under_its_title_and_talks_to_the_status_bar(qtbot, window) -> None:
    assert [label for label, _ in window.screens] == LABELS
    for label in LABELS:
        screen = window.show_screen(label)
        _settle(qtbot, window)
        assert isinstance(screen, Screen)
        assert screen.title == label
        assert window.stack.currentWidget() is screen.widget()
        assert window.windowTitle() == f"slaapp — {label}"
        screen.message.emit(f"hello from {label}")
        assert window.statusBar().currentMessage() == f"hello from {label}"
    assert list(window.built) == LABELS
    assert window.settings.value("screen") in (len(LABELS) - 1, str(len(LABELS) - 1))


def test_a_screen_is_refreshed_each_time_it_is_shown(qtbot, window, monkeypatch) -> None:
    insights = window.show_screen("Insights")
    _settle(qtbot, window)
    shown: list[str] = []
    monkeypatch.setattr(insights, "refresh", lambda: shown.append("Insights"))
    window.show_screen("Dashboard")
    _settle(qtbot, window)
    assert shown == []
    window.show_screen("Insights")
    window.show_screen("Insights")  # already current: not shown again
    assert shown == ["Insights"]


def test_a_screens_changes_reevaluate_and_its_records_open(qtbot, window) -> None:
    screen = window.show_screen("Alerts")
    _settle(qtbot, window)
    with qtbot.waitSignal(window.refreshed, timeout=20_000) as evaluated:
        screen.data_changed.emit()
    assert evaluated.args == [None]  # the empty database, evaluated again
    _settle(qtbot, window)
    with qtbot.waitSignal(window.failed, timeout=20_000) as refused:
        screen.open_record.emit(12345)  # the window opens records for every screen
    assert "12345" in refused.args[0]


def test_closing_the_window_shuts_every_built_screen_down_then_the_services(
    qtbot, window, monkeypatch
) -> None:
    for label in ("Dashboard", "SLA matrix", "Connections"):
        window.show_screen(label)
        _settle(qtbot, window)
    stopped: list[str] = []
    for label, screen in window.built.items():
        monkeypatch.setattr(screen, "shutdown", lambda label=label: stopped.append(label))
    window.start()
    _settle(qtbot, window)
    assert window.alerts.timer.isActive() or window.alerts.next_due is None
    window.close()
    assert stopped == ["Live handoffs", "Dashboard", "SLA matrix", "Connections"]
    assert not window.alerts.timer.isActive() and not window.timer.isActive()
    assert not window.jobs.running
