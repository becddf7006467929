"""The main window: every clock of the database, filtered, sorted and coloured by status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..clock_output import write_csv
from ..deliveries import ScheduledRun, load_schedule, run_schedule_if_due, save_schedule
from ..engine.clocks import OPEN_STATUSES, STATUSES
from ..engine.events import read_events
from ..engine.versions import take_clocks
from ..models.database import Database
from ..models.jobs import (
    DemoResult,
    LiveClocks,
    StoreResult,
    live_clocks,
    load_demo,
    now,
    store_log,
    team_names,
)
from ..reports.export import ExportResult, day_bounds, export_scorecard, period_zone
from ..reports.schedule import WeeklySchedule
from .clock_model import DUE, STATUS_LABELS, ClockTableModel
from .export_dialog import ExportChoice, ExportDialog
from .jobs import JobRunner, ProgressRelay
from .schedule_dialog import ScheduleDialog

FILTERS = {
    "Open": frozenset(OPEN_STATUSES),
    "All clocks": frozenset(range(len(STATUSES))),
    **{label: frozenset({status}) for status, label in STATUS_LABELS.items()},
}
REFRESH_MS = 60_000


class MainWindow(QMainWindow):
    """Signals: refreshed(LiveClocks | None), failed(str) when a job was refused, exported(result)."""

    refreshed = Signal(object)
    failed = Signal(str)
    exported = Signal(object)

    def __init__(self, database: Database, settings: QSettings) -> None:
        super().__init__()
        self.database = database
        self.settings = settings
        self.jobs = JobRunner(self)
        self.model = ClockTableModel()
        self._sized = False
        self.open_exports = True
        self.setWindowTitle("slaapp — Live handoffs")
        self._build()
        self.jobs.busy.connect(self._busy)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.timeout.connect(self.check_schedule)
        geometry = settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1240, 760)

    # ----- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        bar = QToolBar("Main")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.import_action = self._action(
            bar, "Import events…", QKeySequence.StandardKey.Open, self.choose_import
        )
        self.demo_action = self._action(bar, "Load demo org", None, self.load_demo)
        self.refresh_action = self._action(
            bar, "Refresh", QKeySequence.StandardKey.Refresh, self.refresh
        )
        bar.addSeparator()
        self.export_action = self._action(bar, "Export scorecard…", "Ctrl+E", self.choose_export)
        self.csv_action = self._action(bar, "Export table as CSV…", "Ctrl+Shift+E", self.choose_csv)
        self.schedule_action = self._action(bar, "Weekly scorecard…", None, self.edit_schedule)
        self._action(self, "About slaapp", "F1", self.about)

        self.empty = QFrame()
        self.empty.setFrameShape(QFrame.Shape.StyledPanel)
        empty_layout = QHBoxLayout(self.empty)
        empty_layout.addWidget(
            QLabel(
                "<b>No handoffs yet.</b> Load the demo revenue org to look around, or import an event log."
            )
        )
        self.empty_demo = QPushButton("Load the demo org")
        self.empty_demo.clicked.connect(self.load_demo)
        self.empty_import = QPushButton("Import events…")
        self.empty_import.clicked.connect(self.choose_import)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_demo)
        empty_layout.addWidget(self.empty_import)
        self.empty.hide()

        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search record or owner")
        self.search.setClearButtonEnabled(True)
        self.filter.currentIndexChanged.connect(self._refilter)
        self.search.textChanged.connect(self._refilter)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Show"))
        controls.addWidget(self.filter)
        controls.addWidget(self.search, 1)
        controls.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DUE, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.empty)
        layout.addLayout(controls)
        layout.addWidget(self.table)
        self.setCentralWidget(body)
        self.summary = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.relay = ProgressRelay(self)
        self.relay.progress.connect(lambda share: self.progress.setValue(round(share * 100)))
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.summary)
        self.statusBar().addPermanentWidget(QLabel(self.database.display))

    def _action(
        self,
        owner: QWidget,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: Callable[[], None],
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        owner.addAction(action)
        return action

    def _busy(self, busy: bool) -> None:
        for action in (
            self.import_action,
            self.demo_action,
            self.refresh_action,
            self.export_action,
        ):
            action.setEnabled(not busy)
        if not busy:
            self.progress.hide()
        self.empty_demo.setEnabled(not busy)
        self.empty_import.setEnabled(not busy)

    # ----- jobs --------------------------------------------------------------------------
    def start(self) -> None:
        """Show the database's clocks and keep them fresh."""
        self.refresh()
        self.timer.start()

    def _run(
        self, message: str, work: Callable[[], object], done: Callable[[object], None]
    ) -> None:
        self.statusBar().showMessage(message)
        self.jobs.start(work, done, self._fail, self._crash)

    def refresh(self) -> None:
        self._run("Evaluating…", partial(live_clocks, self.database, now()), self._show)

    def load_demo(self) -> None:
        self._run(
            "Generating the demo revenue org (about 20,000 records)…",
            partial(load_demo, self.database),
            self._stored,
        )

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

        self._run(f"Importing {path.name}…", work, self._stored)

    def choose_export(self) -> None:
        folder = Path(str(self.settings.value("export_folder", str(Path.home()))))
        dialog = ExportDialog(team_names(self.database), folder, date.today(), self)
        if dialog.exec() == ExportDialog.DialogCode.Accepted:
            choice = dialog.choice()
            self.settings.setValue("export_folder", str(choice.path.parent))
            self.export(choice)

    def export(self, choice: ExportChoice) -> None:
        """Write a scorecard on a worker thread, with progress; opens it when done."""
        relay = self.relay

        def work() -> ExportResult:
            zone = period_zone(self.database)
            start, end = day_bounds(choice.first, choice.last, zone)
            return export_scorecard(
                self.database,
                choice.path,
                start=start,
                end=end,
                now=now(),
                team=choice.team,
                progress=relay.report,
            )

        self.progress.setValue(0)
        self.progress.show()
        self._run(f"Writing {choice.path.name}…", work, self._exported)

    def _exported(self, result: object) -> None:
        assert isinstance(result, ExportResult)
        self.statusBar().showMessage(f"Scorecard saved: {result.summary()}", 15_000)
        self.exported.emit(result)
        if self.open_exports:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path)))

    def choose_csv(self) -> None:
        folder = str(self.settings.value("export_folder", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(self, "Export table as CSV", folder, "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> None:
        """The rows the table shows now, in its order, as CSV (formula-safe for spreadsheets)."""
        clocks = self.model.clocks()
        if clocks is None:
            return
        visible = take_clocks(clocks, self.model.visible_rows())

        def work() -> Path:
            with path.open("w", encoding="utf-8-sig", newline="") as out:
                write_csv(visible, out, spreadsheet_safe=True)
            return path

        self._run(f"Writing {path.name}…", work, self._csv_written)

    def _csv_written(self, result: object) -> None:
        assert isinstance(result, Path)
        self.statusBar().showMessage(f"Table saved to {result}", 10_000)
        self.exported.emit(result)

    def edit_schedule(self) -> None:
        schedule = load_schedule(self.database) or WeeklySchedule(
            timezone=period_zone(self.database)
        )
        dialog = ScheduleDialog(schedule, team_names(self.database), self)
        if dialog.exec() == ScheduleDialog.DialogCode.Accepted:
            chosen = dialog.schedule(now())
            save_schedule(self.database, chosen, now())
            self.statusBar().showMessage(f"Weekly scorecard: {chosen.describe()}", 10_000)

    def check_schedule(self) -> None:
        """Send the weekly scorecard when it is due (called every minute while the app runs)."""
        work = partial(run_schedule_if_due, self.database, now())
        self.jobs.start(work, self._scheduled, self._schedule_failed, self._crash)

    def _schedule_failed(self, message: str) -> None:
        """Shown without a dialog: the run is retried at the next check until it goes out."""
        self.statusBar().showMessage(f"The weekly scorecard was not sent (will retry): {message}")
        self.failed.emit(message)

    def _scheduled(self, result: object) -> None:
        if result is None:
            return
        assert isinstance(result, ScheduledRun)
        self.statusBar().showMessage(
            f"Weekly scorecard sent to {', '.join(result.recipients)}", 15_000
        )
        self.exported.emit(result)

    def _stored(self, result: object) -> None:
        if isinstance(result, DemoResult):
            message = f"Demo org loaded: {result.people} people, {result.records:,} records"
        else:
            assert isinstance(result, StoreResult)
            message = f"Imported: {result.ingested.summary()}"
        self.refresh()
        self.statusBar().showMessage(message, 10_000)

    def _show(self, result: object) -> None:
        assert result is None or isinstance(result, LiveClocks)
        self.empty.setVisible(result is None)
        if result is not None:
            self.model.set_clocks(result.clocks, result.names, result.matrix)
            self._refilter()
            if not self._sized:
                self.table.resizeColumnsToContents()
                self._sized = True
            at = datetime.fromtimestamp(result.as_of, UTC).astimezone().strftime("%H:%M")
            self.statusBar().showMessage(
                f"{result.records:,} records, {result.events:,} events, {len(result.clocks):,} clocks — evaluated at {at}"
            )
        else:
            self.statusBar().showMessage("The database is empty")
        self.refreshed.emit(result)

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

    def _refilter(self) -> None:
        self.model.set_filter(FILTERS[self.filter.currentText()], self.search.text())
        counts = self.model.counts()
        parts = [f"{counts[s]:,} {STATUS_LABELS[s].lower()}" for s in sorted(counts)]
        self.summary.setText(" · ".join(parts) if parts else "No clocks")

    def about(self) -> None:
        QMessageBox.about(
            self, "About slaapp", f"slaapp {__version__}\nHandoff SLA monitor for revenue teams."
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        self.settings.setValue("geometry", self.saveGeometry())
        self.jobs.shutdown()
        super().closeEvent(event)
