"""Composition root of the desktop app: Qt application, settings, main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from . import __version__

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEFAULT_MATRIX = RESOURCES / "matrices" / "revenue-default.json"
SAMPLE_EVENTS = RESOURCES / "samples" / "events-sample.csv"


def run_app(args: Sequence[str] = ()) -> int:
    """Start the desktop app; returns the exit code."""
    from .views.main_window import MainWindow

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = QApplication.instance() or QApplication([sys.argv[0], *args])
    app.setApplicationName("slaapp")
    app.setOrganizationName("slaapp")
    app.setApplicationVersion(__version__)
    window = MainWindow(DEFAULT_MATRIX, SAMPLE_EVENTS, QSettings())
    window.show()
    QTimer.singleShot(0, window.start_evaluation)
    return int(app.exec())
