"""The GUI stall monitor reports an event loop blocked for 250 ms, not one blocked for 20 ms."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QTimer

from slaapp.views.common.stall_monitor import StallMonitor


def _block(qtbot, monitor: StallMonitor, ms: int) -> None:
    """Block the GUI thread for `ms` inside the event loop, then let the monitor tick again."""
    done: list[bool] = []

    def busy() -> None:
        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            pass
        done.append(True)

    QTimer.singleShot(30, busy)
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)
    ticks = monitor._timer  # two more ticks: the one after the block has been measured
    with qtbot.waitSignal(ticks.timeout, timeout=2_000):
        pass
    with qtbot.waitSignal(ticks.timeout, timeout=2_000):
        pass


def test_a_250_ms_block_is_reported_with_the_screen_and_logged(qtbot, caplog) -> None:
    monitor = StallMonitor(lambda: "Dashboard: opening")
    monitor.start()
    caplog.set_level(logging.DEBUG, logger="slaapp.views.common.stall_monitor")
    with qtbot.waitSignal(monitor.stalled, timeout=5_000) as caught:
        _block(qtbot, monitor, 250)
    stall = caught.args[0]
    assert 200 <= stall.ms < 1_000 and stall.doing == "Dashboard: opening"
    assert monitor.longest() >= 200
    assert any(
        "stalled for" in r.getMessage() and "Dashboard" in r.getMessage() for r in caplog.records
    )
    monitor.stop()


def test_a_20_ms_block_is_not_a_stall(qtbot) -> None:
    monitor = StallMonitor()
    monitor.start()
    _block(qtbot, monitor, 20)
    assert monitor.stalls == []
    assert monitor.longest() < 100
    monitor.reset()
    assert monitor.longest() < 100
    monitor.stop()


def test_the_main_window_watches_itself_when_debug_logging_is_on(qtbot, database, tmp_path) -> None:
    from PySide6.QtCore import QSettings

    from slaapp.app import build_services
    from slaapp.views.main_window import MainWindow

    watched = logging.getLogger("slaapp.views.common.stall_monitor")
    before = watched.level
    watched.setLevel(logging.DEBUG)
    try:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(build_services(database, settings))
        qtbot.addWidget(window)
    finally:
        watched.setLevel(before)
    monitor = window.stall_monitor
    assert monitor is not None and monitor.active
    assert monitor.doing().startswith("screen Live handoffs")
    window.close()
    assert not monitor.active
    qtbot.waitUntil(lambda: not window.jobs.running, timeout=10_000)
