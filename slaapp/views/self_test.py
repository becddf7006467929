"""`slaapp --self-test`: start the window on a temporary database, open every screen, exit 0."""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from slaapp.services.database import Database, open_database
from slaapp.services.demo_org import load_demo
from slaapp.views.app_services import AppServices
from slaapp.views.main_window import MainWindow

log = logging.getLogger("slaapp.self_test")


def _say(line: str, failed: bool = False) -> None:
    """Print the line (a windowed build has no stdout: the log file keeps it then)."""
    stream = sys.stderr if failed else sys.stdout
    if stream is None:
        log.log(logging.ERROR if failed else logging.INFO, line)
    else:
        print(line, file=stream)


def _wait(app: QApplication, done: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} took longer than {seconds:.0f} s")
        app.processEvents()
        time.sleep(0.01)


def run_self_test(
    app: QApplication, build: Callable[[Database, QSettings], AppServices], days: int = 14
) -> int:
    """Every screen of the app, opened for real on demo data; 0 when all worked.

    `build` makes the app's services the way the app does (slaapp.app.build_services).
    """
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="slaapp-self-test-") as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'self-test.db'}")
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        started = time.perf_counter()
        load_demo(database, days=days)
        window = MainWindow(build(database, settings))
        crashes: list[str] = []
        window.failed.connect(crashes.append)
        try:
            window.show()
            refreshed: list[object] = []
            window.refreshed.connect(refreshed.append)
            window.start()
            _wait(app, lambda: bool(refreshed) and not window.jobs.running, 60, "evaluating")
            _say(f"self-test: demo org evaluated ({time.perf_counter() - started:.1f} s)")
            for label, _ in window.screens:
                try:
                    window.show_screen(label)
                    _wait(app, lambda: not window.jobs.running, 60, f"opening {label}")
                    _say(f"self-test: {label} ok")
                except Exception as exc:
                    failures.append(f"{label}: {type(exc).__name__}: {exc}")
            window.show_screen("Live handoffs")
            if window.live.model.rowCount():
                window.live.open_row(0)
                _wait(app, lambda: bool(window.record_windows), 30, "opening a record")
                _say("self-test: record window ok")
            else:
                failures.append("the live table is empty after loading the demo org")
            failures += [f"job refused: {message}" for message in crashes]
        finally:
            for dialog in window.record_windows:
                dialog.close()
            window.close()
            database.dispose()
    for failure in failures:
        _say(f"self-test FAILED: {failure}", failed=True)
    _say("self-test: " + ("passed" if not failures else f"{len(failures)} failure(s)"))
    return 0 if not failures else 1
