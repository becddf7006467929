"""The main window: navigation between screens, global actions, status bar, record windows."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
import platformdirs
from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QSystemTrayIcon,
    QWidget,
)

from slaapp import __version__
from slaapp.engine.clocks import OPEN_STATUSES
from slaapp.engine.insights.predict import BreachModel
from slaapp.importers.event_file import read_events
from slaapp.services.demo_org import DemoRemoved, DemoResult, load_demo, remove_demo
from slaapp.services.live_view import LiveView, live_view
from slaapp.services.record_view import RecordView, record_view
from slaapp.services.scorecard_delivery import ScheduledRun
from slaapp.services.store import StoreResult, now, store_log
from slaapp.services.worker import desktop_scorecard_if_due
from slaapp.sync.service import SyncReport
from slaapp.views.app_services import AppServices
from slaapp.views.common.app_icon import app_icon
from slaapp.views.common.elided import ElidedLabel
from slaapp.views.common.i18n import tr
from slaapp.views.common.identity import attach_identity, with_identity_box
from slaapp.views.common.record_dialog import RecordDialog
from slaapp.views.common.screen import Screen
from slaapp.views.common.stall_monitor import StallMonitor
from slaapp.views.common.team import gate, service_label
from slaapp.views.common.times import clock_time, set_display_zone
from slaapp.views.live.clock_model import RISK
from slaapp.views.live.import_dialog import import_message, show_import_summary
from slaapp.views.live.screen import LiveScreen, write_csv_file
from slaapp.views.toasts.toast import DesktopToaster

REFRESH_MS = 60_000
SCHEDULE_CHECK_MS = 60_000
STATUS_MS = 15_000
T = TypeVar("T")


class MainWindow(QMainWindow):
    """The window over the app's services (built in slaapp.app): it builds and wires widgets only.

    Signals: refreshed(LiveClocks | None), failed(str) when a job was refused, exported(result).
    """

    refreshed = Signal(object)
    failed = Signal(str)
    exported = Signal(object)

    def __init__(self, services: AppServices) -> None:
        super().__init__()
        self.services = services
        # The services this window uses most, by their short names.
        self.database = services.database
        self.settings = services.settings
        self.jobs = services.jobs
        self.alerts = services.alerts
        self.record_windows: list[RecordDialog] = []
        self._first_run_demo = False
        self._risk_model: BreachModel | None = None
        self._fitted_at = 0
        self.setWindowTitle("slaapp")
        self.live = LiveScreen(self.settings)
        services.sync.finished.connect(self._synced)
        if services.watch is not None:  # another desktop or the service stored data
            services.watch.changed.connect(lambda _tables: (self.refresh(), self.alerts.trigger()))
        self.setWindowIcon(app_icon())
        self.tray = (
            QSystemTrayIcon(app_icon(), self) if QSystemTrayIcon.isSystemTrayAvailable() else None
        )
        if self.tray is not None:
            self.tray.setToolTip("slaapp: handoff SLAs")
            self.tray.show()
        self.toaster = DesktopToaster(self, self.tray)
        self.alerts.notice.connect(self.toaster.show)
        self.toaster.action.connect(self.alerts.handle_action)
        self.alerts.open_record.connect(self.open_record)
        self.alerts.open_alerts.connect(lambda: self.show_screen("Alerts"))
        self.alerts.failed.connect(self._status)
        self.alerts.changed.connect(self._alerts_changed)
        self.identity = attach_identity(self)  # who this desktop is: toasts, My handoffs
        self.screens: list[tuple[str, Callable[[], Screen]]] = [
            ("Live handoffs", lambda: self.live),
            ("Dashboard", self._dashboard_screen),
            ("SLA matrix", self._matrix_screen),
            ("Insights", self._insights_screen),
            ("Alerts", self._alerts_screen),
            ("Scorecards", self._scorecards_screen),
            ("People", self._people_screen),
            ("Connections", self._connections_screen),
            ("Settings", self._settings_screen),
        ]
        self.built: dict[str, Screen] = {}
        self.stall_monitor: StallMonitor | None = None
        self._build()
        if logging.getLogger("slaapp.views.common.stall_monitor").isEnabledFor(logging.DEBUG):
            self.install_stall_monitor()  # debug logging: GUI stalls over 100 ms go to the log
        self.jobs.busy.connect(self._busy)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.schedule_timer = QTimer(self)
        self.schedule_timer.setInterval(SCHEDULE_CHECK_MS)
        self.schedule_timer.timeout.connect(self.check_schedule)
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:  # the preferred size, within the screen's free area (a 1280x720 laptop too)
            shown_on = QGuiApplication.primaryScreen()
            free = shown_on.availableGeometry() if shown_on is not None else None
            self.resize(
                min(1320, free.width()) if free else 1320, min(820, free.height()) if free else 820
            )

    # ----- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        self.nav = QListWidget()
        self.nav.setAccessibleName("Screens")
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(190)
        self.nav.setStyleSheet(
            "QListWidget#navigation { border: none; font-size: 14px; padding-top: 8px; }"
            "QListWidget#navigation::item { padding: 9px 14px; }"
        )
        self.stack = QStackedWidget()
        for label, _ in self.screens:
            self.nav.addItem(QListWidgetItem(label))
        self.nav.currentRowChanged.connect(self._show_screen)
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(body)

        self.screen("Live handoffs")  # built first: the window feeds it every evaluation
        self.live.demo_requested.connect(self.load_demo)
        self.live.import_requested.connect(self.choose_import)
        self.live.connect_requested.connect(lambda: self.show_screen("Connections"))

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.import_action = self._action(
            file_menu, "Import events…", QKeySequence.StandardKey.Open, self.choose_import
        )
        self.demo_action = self._action(file_menu, "Load demo org", None, self.load_demo)
        self.remove_demo_action = self._action(
            file_menu, "Remove demo data…", None, self.remove_demo
        )
        file_menu.addSeparator()
        self.export_action = self._action(
            file_menu, "Export scorecard…", "Ctrl+E", self.choose_export
        )
        self.csv_action = self._action(
            file_menu, "Export table as CSV…", "Ctrl+Shift+E", self.choose_csv
        )
        file_menu.addSeparator()
        self._action(file_menu, "Quit", QKeySequence.StandardKey.Quit, self.close)
        view_menu = menu.addMenu("&View")
        self.refresh_action = self._action(
            view_menu, "Refresh", QKeySequence.StandardKey.Refresh, self.refresh
        )
        view_menu.addSeparator()
        for number, (label, _) in enumerate(self.screens, start=1):
            self._action(
                view_menu, label, f"Ctrl+{number}", partial(self.nav.setCurrentRow, number - 1)
            )
        help_menu = menu.addMenu("&Help")
        self._action(help_menu, "Open the log folder", None, self.open_logs)
        self._action(help_menu, "About slaapp", "F1", self.about)  # fmt: skip

        self.evaluated = QLabel("Not evaluated yet")
        self.sync_state = ElidedLabel("No CRM connected")  # many sources elide, never widen
        self.sync_state.setMinimumWidth(160)
        self.statusBar().addPermanentWidget(self.sync_state)
        self.statusBar().addPermanentWidget(service_label(self.alerts))
        self.statusBar().addPermanentWidget(self.evaluated)
        self.statusBar().addPermanentWidget(QLabel(self.database.display))
        last = int(self.settings.value("screen", 0) or 0)
        self.nav.setCurrentRow(last if 0 <= last < len(self.screens) else 0)

    def install_stall_monitor(self) -> StallMonitor:
        """Watch the GUI thread: each stall over 100 ms is logged with the screen shown."""
        if self.stall_monitor is None:
            self.stall_monitor = StallMonitor(self._doing, parent=self)
            self.stall_monitor.start()
        return self.stall_monitor

    def _doing(self) -> str:
        """What the window was doing, for the stall log: the screen and any background job."""
        shown = self.stack.currentWidget()
        title = next((n for n, s in self.built.items() if s.widget() is shown), "no screen")
        return f"screen {title}" + (", a background job running" if self.jobs.running else "")

    def _action(
        self,
        menu: QWidget,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: Callable[[], object],
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        return action

    def screen(self, label: str) -> Screen:
        """The screen called `label`, built (and its modules imported) the first time it is needed."""
        found = self.built.get(label)
        if found is None:
            factory = dict(self.screens)[label]
            found = self.built[label] = factory()
            self.stack.addWidget(found.widget())
            for view in found.widget().findChildren(QAbstractItemView):
                view.setTabKeyNavigation(False)  # Tab leaves a table; arrows move inside it
            found.message.connect(self._status)
            found.open_record.connect(self.open_record)
            found.data_changed.connect(self._data_changed)
            # What a screen builds lives as long as the window: out of the collector's way, so
            # a full collection it would have started never stops a later screen's opening.
            gc.freeze()
        return found

    # Each factory's return type checks that its screen is a Screen.
    def _dashboard_screen(self) -> Screen:
        from slaapp.views.dashboard.screen import DashboardScreen

        return DashboardScreen(self.database, self.jobs)

    def _matrix_screen(self) -> Screen:
        from slaapp.views.matrix.screen import MatrixScreen

        screen = MatrixScreen(self.database, self.jobs)
        gate(screen.publish_action, self.services.access, "publish_matrix")
        return screen

    def _alerts_screen(self) -> Screen:
        from slaapp.views.alerts.screen import AlertsScreen

        screen = AlertsScreen(self.database, self.jobs)
        for button in (screen.reassignments.approve, screen.reassignments.decline):
            gate(button, self.services.access, "approve_reassignment")
        return screen

    def _insights_screen(self) -> Screen:
        from slaapp.views.insights.screen import InsightsScreen

        return InsightsScreen(self.database, self.jobs)

    def _scorecards_screen(self) -> Screen:
        from slaapp.views.scorecards.screen import ScorecardsScreen

        screen = ScorecardsScreen(self.database, self.jobs, self.settings)
        screen.exported.connect(self.exported)
        screen.failed.connect(self.failed)
        return screen

    def _connections_screen(self) -> Screen:
        from slaapp.views.connections.screen import ConnectionsScreen

        screen = ConnectionsScreen(self.database, self.jobs, sync=self.services.sync)
        for key in ("add", "edit", "mapping", "remove"):
            gate(screen.buttons[key], self.services.access, "edit_connections")
        gate(screen.buttons["sync"], self.services.access, "sync")
        return screen

    def _settings_screen(self) -> Screen:
        from slaapp.views.settings.screen import SettingsScreen

        screen = SettingsScreen(self.database, self.jobs, secrets=self.services.secrets)
        gate(screen.save_button, self.services.access, "edit_settings")
        with_identity_box(screen, self.identity)
        return screen

    def _people_screen(self) -> Screen:
        from slaapp.views.people.screen import PeopleScreen

        return PeopleScreen(self.database, self.jobs, self.settings)

    def _show_screen(self, row: int) -> None:
        if not 0 <= row < len(self.screens):
            return
        screen = self.screen(self.screens[row][0])
        self.stack.setCurrentWidget(screen.widget())
        self.setWindowTitle(f"slaapp — {screen.title}")
        self.settings.setValue("screen", row)
        screen.refresh()

    def _data_changed(self) -> None:
        """A screen changed records, alerts or the matrix: evaluate again and run the alerts."""
        self.refresh()
        self.alerts.trigger()

    def _alerts_changed(self) -> None:
        screen = self.built.get("Alerts")
        if screen is not None:
            screen.refresh()

    def _status(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MS)

    def show_screen(self, label: str) -> Screen:
        """Switch to the screen called `label` and return it."""
        for row, (name, _) in enumerate(self.screens):
            if name == label:
                self.nav.setCurrentRow(row)
                return self.screen(label)
        raise KeyError(label)

    def choose_export(self) -> None:
        from slaapp.views.scorecards.screen import ScorecardsScreen

        scorecards = self.screen("Scorecards")
        assert isinstance(scorecards, ScorecardsScreen)
        scorecards.choose_export()

    def _busy(self, busy: bool) -> None:
        for action in (self.import_action, self.demo_action, self.refresh_action):
            action.setEnabled(not busy)
        self.live.empty_demo.setEnabled(not busy)
        self.live.empty_import.setEnabled(not busy)

    # ----- jobs --------------------------------------------------------------------------
    def start(self, first_run_demo: bool = False) -> None:
        """Show the database's clocks and keep them fresh.

        With `first_run_demo`, an empty database met for the first time gets the demo org,
        so a new user looks at a living product (File > Remove demo data takes it away).
        """
        self._first_run_demo = first_run_demo and not self.settings.value("demo_offered", False)
        self.refresh()
        self.timer.start()
        self.schedule_timer.start()
        self.alerts.start()

    def _run(self, message: str, work: Callable[[], T], done: Callable[[T], None]) -> None:
        self.statusBar().showMessage(message)
        self.jobs.start(work, done, self._fail, self._crash)

    def refresh(self) -> None:
        work = partial(live_view, self.database, now(), self._risk_model, self._fitted_at)
        self._run("Evaluating…", work, self._show)

    def load_demo(self) -> None:
        self._run(
            "Generating the demo revenue org (about 20,000 records)…",
            partial(load_demo, self.database),
            self._stored,
        )

    def remove_demo(self) -> None:
        answer = QMessageBox.question(
            self, "Remove demo data",
            "Delete the demo org's records, clocks, alerts and people? Your own data stays.",
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            self._run("Removing the demo org…", partial(remove_demo, self.database), self._stored)

    def choose_import(self) -> None:
        start = str(self.settings.value("import_folder", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(
            self, "Import an event log", start, "Event logs (*.csv *.tsv *.txt *.xlsx *.xlsm)"
        )
        if path:
            self.settings.setValue("import_folder", str(Path(path).parent))
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        def work() -> StoreResult:
            return store_log(self.database, read_events(path).log, source="import", at=now())

        def done(result: StoreResult) -> None:
            self._stored(result)
            show_import_summary(self, path.name, result)

        self._run(f"Importing {path.name}…", work, done)

    def choose_csv(self) -> None:
        folder = str(self.settings.value("export_folder", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(self, "Export table as CSV", folder, "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> None:
        """The rows the live table shows now, in its order, as CSV."""
        visible = self.live.visible_clocks()
        if visible is None:
            return
        self._run(
            f"Writing {path.name}…", partial(write_csv_file, visible, path), self._csv_written
        )

    def _csv_written(self, result: Path) -> None:
        self.statusBar().showMessage(f"Table saved to {result}", 10_000)
        self.exported.emit(result)

    def _stored(self, result: DemoResult | DemoRemoved | StoreResult) -> None:
        if isinstance(result, DemoResult):
            message = (
                f"Demo org loaded: {result.people} people, {result.records:,} records. "
                "File > Remove demo data takes it away when you bring your own."
            )
        elif isinstance(result, DemoRemoved):
            message = f"Demo org removed: {result.records:,} records, {result.people} people"
        else:
            message = import_message(result)
        self.refresh()
        self.alerts.trigger()
        self.statusBar().showMessage(message, 10_000)

    def _show(self, view: LiveView) -> None:
        result = view.live
        self._risk_model, self._fitted_at = view.model, view.fitted_at
        self._show_sources(view)
        self.live.show_clocks(result)
        scored = view.risk is not None and view.model is not None
        if view.risk is not None and view.model is not None:
            threshold = view.model.quality.alert_threshold
            self.live.model.set_risk(view.risk, threshold, view.risk_note)
        # no predictor that beats the base rate: no risk column, rather than an empty one
        self.live.table.setColumnHidden(RISK, not scored)
        if result is not None:
            set_display_zone(result.zone)
            self.evaluated.setText(f"Evaluated at {clock_time(result.as_of)}")
            running = int(np.isin(result.clocks.status, OPEN_STATUSES).sum())
            self.statusBar().showMessage(
                tr("{records} records, {events} events, {running} open clocks").format(
                    records=f"{result.records:,}", events=f"{result.events:,}",
                    running=f"{running:,}",
                ),
                10_000,
            )  # fmt: skip
        else:
            self.statusBar().showMessage("The database is empty")
            if self._first_run_demo:
                self._first_run_demo = False
                self.settings.setValue("demo_offered", True)
                self.load_demo()
        self.refreshed.emit(result)

    def check_schedule(self) -> None:
        """Send the weekly scorecard when it is due (every minute while the app runs)."""
        work = partial(desktop_scorecard_if_due, self.database, now())
        self.jobs.start(work, self._scheduled, self._schedule_failed, self._schedule_failed)

    def _schedule_failed(self, message: str) -> None:
        """Shown without a dialog: the run is retried at the next check until it goes out."""
        self.statusBar().showMessage(f"The weekly scorecard was not sent (will retry): {message}")
        self.failed.emit(message)

    def _scheduled(self, result: ScheduledRun | None) -> None:
        if result is None:
            return
        self.statusBar().showMessage(
            f"Weekly scorecard sent to {', '.join(result.recipients)}", 15_000
        )
        self.exported.emit(result)

    def _synced(self, report: SyncReport) -> None:
        if report.events_added:
            self.refresh()
            self.alerts.trigger()

    def _show_sources(self, view: LiveView) -> None:
        words = {"ok": "synced", "running": "syncing", "partial": "synced with gaps"}
        self.sync_state.setText(view.sync_words(clock_time))  # added connections count too
        failing = any(s.state not in words for s in view.sources)
        self.sync_state.setStyleSheet("color: #d64541;" if failing else "")

    def open_record(self, record_id: int) -> None:
        """Open the record window (timeline, clocks explained, alerts and actions, CRM link)."""
        self._run(
            "Opening the record…",
            partial(record_view, self.database, record_id, now()),
            self._record,
        )

    def _record(self, result: RecordView) -> None:
        people = self.live.live.people if self.live.live is not None else {}
        dialog = RecordDialog(result, people, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.record_windows = [w for w in self.record_windows if w.isVisible()] + [dialog]
        dialog.show()
        self.statusBar().clearMessage()

    def _fail(self, message: str) -> None:
        self.statusBar().showMessage("That did not work; nothing was changed")
        self.failed.emit(message)
        if self.isVisible():
            QMessageBox.warning(self, "slaapp", message)

    def _crash(self, message: str) -> None:
        self.statusBar().showMessage("Something went wrong")
        QMessageBox.critical(
            self, "slaapp", f"Something went wrong; the details are in the log.\n\n{message}"
        )

    def open_logs(self) -> None:
        folder = platformdirs.user_log_path("slaapp", appauthor=False)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About slaapp",
            f"<b>slaapp {__version__}</b><br>Handoff SLA monitor for revenue teams.<br><br>"
            f"Database: {self.database.display}",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        """Staged stop: the window's timers, each screen's own work, then the app's services."""
        self.timer.stop()
        self.schedule_timer.stop()
        if self.stall_monitor is not None:
            self.stall_monitor.stop()
        for screen in self.built.values():
            screen.shutdown()
        self.settings.setValue("geometry", self.saveGeometry())
        self.services.shutdown()
        super().closeEvent(event)
