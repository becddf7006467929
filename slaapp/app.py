"""Composition root of the desktop app: Qt application, settings, database, main window."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import platformdirs
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from . import __version__
from .models.database import DatabaseError, open_database


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


def run_app(args: Sequence[str] = ()) -> int:
    """Start the desktop app on --db, $SLAAPP_DB or the embedded SQLite file; returns the exit code."""
    from .views.main_window import MainWindow

    parser = argparse.ArgumentParser(prog="slaapp", description="Start the slaapp desktop app.")
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: $SLAAPP_DB or the embedded SQLite file)"
    )
    options, qt_args = parser.parse_known_args(list(args))
    _logging()
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("slaapp")
    app.setOrganizationName("slaapp")
    app.setApplicationVersion(__version__)
    try:
        database = open_database(options.db)
    except DatabaseError as exc:
        QMessageBox.critical(None, "slaapp", f"The database cannot be opened.\n\n{exc}")
        return 1
    window = MainWindow(database, QSettings())
    window.show()
    QTimer.singleShot(0, window.start)
    try:
        return int(app.exec())
    finally:
        database.dispose()
