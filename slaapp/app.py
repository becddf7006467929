"""Composition root of the desktop app: logging, Qt application, settings, database, services, window."""

from __future__ import annotations

import argparse
import faulthandler
import gc
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from functools import partial
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

import platformdirs
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from slaapp import __version__
from slaapp.models.database import Database, DatabaseError, open_database

if TYPE_CHECKING:
    from slaapp.views.app_services import AppServices

log = logging.getLogger("slaapp")
LOG_FILE = "slaapp.log"
CRASH_FILE = "crash.log"
LOG_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 5
ORGANIZATION_DOMAIN = "slaapp.org"
"""Qt's organisation domain. Reversed, plus the app name, it is the macOS bundle id, which
names the settings file there (QSettings), the .app (build.spec) and its notification settings."""
BUNDLE_ID = ".".join([*reversed(ORGANIZATION_DOMAIN.split(".")), "slaapp"])
_handlers: list[logging.Handler] = []
"""The handlers `_logging` added to the root logger (replaced when the app starts again)."""
_crash_file: TextIO | None = None
"""The file faulthandler writes to: it stays open while the process runs."""


def log_folder() -> Path:
    return platformdirs.user_log_path("slaapp", appauthor=False)


def _logging(debug: bool = False) -> None:
    """Log to slaapp.log in the log folder (5 files of 5 MB at most), and to stderr if any;
    `debug` adds DEBUG lines (GUI stalls over 100 ms among them)."""
    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [
        RotatingFileHandler(
            folder / LOG_FILE, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    ]
    if sys.stderr is not None:  # None in a windowed (frozen) build
        handlers.append(logging.StreamHandler())
    root = logging.getLogger()
    while _handlers:  # run_app called again in this process (tests)
        old = _handlers.pop()
        root.removeHandler(old)
        old.close()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
        _handlers.append(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)


def _freeze(*_: object) -> None:
    """Move everything allocated so far out of the garbage collector's reach."""
    gc.freeze()


def _faulthandler() -> None:
    """A hard crash (segfault, abort in Qt) leaves its Python traceback in crash.log.

    A windowed build has no stderr, so faulthandler writes to a file kept open all along.
    """
    global _crash_file
    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    if _crash_file is None:
        _crash_file = (folder / CRASH_FILE).open("a", encoding="utf-8")
    faulthandler.enable(file=_crash_file, all_threads=True)


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
        f"log ({log_folder() / LOG_FILE}); please send it with a note of what you were doing."
    )
    box.setDetailedText("".join(traceback.format_exception(kind, value, trace)))
    box.exec()


def build_services(database: Database, settings: QSettings) -> AppServices:
    """The app's long-lived services, built once; the main window only wires widgets to them."""
    from slaapp.infra.secrets import default_store
    from slaapp.notify.alerting_claim import NOBODY
    from slaapp.notify.channels import build_channels
    from slaapp.services.team import current_access
    from slaapp.sync.writeback import owner_writeback
    from slaapp.views.alerts.scheduler import AlertScheduler
    from slaapp.views.app_services import AppServices
    from slaapp.views.common.identity import desktop_identity
    from slaapp.views.common.jobs import JobRunner
    from slaapp.views.common.team import DataWatch
    from slaapp.views.connections.sync_worker import SyncService

    jobs = JobRunner()
    # One store: a secret typed without a keyring reaches the alerts and the syncs.
    secrets = default_store()
    alerts = AlertScheduler(
        database,
        jobs,
        channels=partial(build_channels, database, secrets),
        writeback=owner_writeback(database),
        # Toasts only for the person this desktop is signed in as; none before someone is chosen.
        identity=lambda: desktop_identity(settings) or NOBODY,
    )
    sync = SyncService(database)  # scheduled CRM syncs run while the app is open
    access, watch = current_access(database), DataWatch(database)  # team mode: role, NOTIFY
    return AppServices(database, settings, secrets, jobs, sync, alerts, access, watch)


def run_app(args: Sequence[str] = ()) -> int:
    """Start the desktop app on --db, $SLAAPP_DB or the embedded SQLite file; returns the exit code."""
    from slaapp.views.common.i18n import install_translator
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
    parser.add_argument(
        "--debug",
        action="store_true",
        help="log at DEBUG level, including every GUI stall over 100 ms (also SLAAPP_DEBUG=1)",
    )
    options, qt_args = parser.parse_known_args(list(args))
    if options.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _logging(options.debug or os.environ.get("SLAAPP_DEBUG") == "1")
    _faulthandler()
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    assert isinstance(app, QApplication)
    app.setApplicationName("slaapp")
    app.setOrganizationName("slaapp")
    app.setOrganizationDomain(ORGANIZATION_DOMAIN)
    app.setApplicationVersion(__version__)
    apply_theme(app)
    install_translator(app)
    if options.self_test:
        from slaapp.views.self_test import run_self_test
        from slaapp.views.toasts.check import check_toast_backend

        toasts_ok = check_toast_backend()
        return max(run_self_test(app, build_services), 0 if toasts_ok else 1)
    # desktop-notifier (macOS, Windows, or SLAAPP_TOASTS=notifier) needs asyncio: qasync runs
    # it on Qt's loop; the D-Bus toasts (Linux) keep the plain app.exec().
    from slaapp.views.toasts import event_loop
    from slaapp.views.toasts.choice import NOTIFIER, native_backend

    through_qasync = native_backend() == NOTIFIER and event_loop.available()
    if through_qasync:
        event_loop.install(app)
    sys.excepthook = _crash_dialog
    try:
        database = open_database(options.db)
    except DatabaseError as exc:
        QMessageBox.critical(None, "slaapp", f"The database cannot be opened.\n\n{exc}")
        return 1
    services = build_services(database, QSettings())
    app.aboutToQuit.connect(services.shutdown)
    window = MainWindow(services)
    window.show()
    QTimer.singleShot(0, lambda: window.start(first_run_demo=True))
    # Once the first rows are on screen, what start-up built stays: a full garbage collection
    # walking it later would stall the GUI thread (200 ms on the first Dashboard open).
    window.refreshed.connect(_freeze, Qt.ConnectionType.SingleShotConnection)
    try:
        return event_loop.run(app) if through_qasync else int(app.exec())
    finally:
        database.dispose()
