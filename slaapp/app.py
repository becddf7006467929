"""Composition root of the desktop app: Qt application, settings, database, main window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from types import TracebackType

import platformdirs
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from slaapp import __version__
from slaapp.models.database import DatabaseError, open_database

log = logging.getLogger("slaapp")


def _logging() -> None:
    folder = platformdirs.user_log_path("slaapp", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [logging.FileHandler(folder / "slaapp.log", encoding="utf-8")]
    if sys.stderr is not None:  # None in a windowed (frozen) build
        handlers.append(logging.StreamHandler())
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
    )


def _crash_dialog(
    kind: type[BaseException], value: BaseException, trace: TracebackType | None
) -> None:
    """A bug: log it with its traceback and say so in a dialog instead of vanishing."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, trace)
        return
    log.error("unexpected error", exc_info=(kind, value, trace))
    if QApplication.instance() is None:
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "slaapp", "Something went wrong inside slaapp.")
    box.setInformativeText(
        "Your data is safe: every change is stored in one transaction. The details are in the "
        f"log ({platformdirs.user_log_path('slaapp', appauthor=False) / 'slaapp.log'}); "
        "please send it with a note of what you were doing."
    )
    box.setDetailedText("".join(traceback.format_exception(kind, value, trace)))
    box.exec()


def run_app(args: Sequence[str] = ()) -> int:
    """Start the desktop app on --db, $SLAAPP_DB or the embedded SQLite file; returns the exit code."""
    from slaapp.views.common.theme import apply_theme
    from slaapp.views.main_window import MainWindow

    parser = argparse.ArgumentParser(prog="slaapp", description="Start the slaapp desktop app.")
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: $SLAAPP_DB or the embedded SQLite file)"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open every screen offscreen on a temporary demo database, then exit (0 = passed)",
    )
    options, qt_args = parser.parse_known_args(list(args))
    if options.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _logging()
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    assert isinstance(app, QApplication)
    app.setApplicationName("slaapp")
    app.setOrganizationName("slaapp")
    app.setApplicationVersion(__version__)
    apply_theme(app)
    if options.self_test:
        from slaapp.views.self_test import run_self_test

        return run_self_test(app)
    sys.excepthook = _crash_dialog
    try:
        database = open_database(options.db)
    except DatabaseError as exc:
        QMessageBox.critical(None, "slaapp", f"The database cannot be opened.\n\n{exc}")
        return 1
    window = MainWindow(database, QSettings())
    window.show()
    QTimer.singleShot(0, lambda: window.start(first_run_demo=True))
    try:
        return int(app.exec())
    finally:
        database.dispose()
