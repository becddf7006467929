"""The main window: the clocks of an event log under a matrix, filtered, sorted and coloured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDateTime, QSettings, Qt, QThread, QTimeZone, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..engine.clocks import OPEN_STATUSES, STATUSES
from .clock_model import STATUS_LABELS, ClockTableModel
from .evaluate_worker import EvaluateWorker, Evaluation, EvaluationRequest

FILTERS = {
    "All clocks": frozenset(range(len(STATUSES))),
    "Open": frozenset(OPEN_STATUSES),
    **{label: frozenset({status}) for status, label in STATUS_LABELS.items()},
}


class MainWindow(QMainWindow):
    """Signals: evaluated(Evaluation) after each successful evaluation, failed(str) on bad input."""

    evaluated = Signal(object)
    failed = Signal(str)

    def __init__(self, matrix_path: Path, events_path: Path, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.matrix_path = Path(str(settings.value("matrix", matrix_path)))
        self.events_path = Path(str(settings.value("events", events_path)))
        self._thread: QThread | None = None
        self._worker: EvaluateWorker | None = None
        self.setWindowTitle("slaapp")
        self.model = ClockTableModel()
        self._build()
        geometry = settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 720)

    # ----- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        bar = QToolBar("Main")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.open_matrix_action = self._action(bar, "Open matrix…", "Ctrl+M", self.choose_matrix)
        self.open_events_action = self._action(
            bar, "Open events…", QKeySequence.StandardKey.Open, self.choose_events
        )
        self.refresh_action = self._action(
            bar, "Evaluate", QKeySequence.StandardKey.Refresh, self.start_evaluation
        )
        self._action(self, "About slaapp", None, self.about)

        self.latest = QCheckBox("As of the latest event")
        self.latest.setChecked(True)
        self.as_of = QDateTimeEdit(QDateTime.currentDateTime())
        self.as_of.setDisplayFormat("ddd dd MMM yyyy HH:mm")
        self.as_of.setCalendarPopup(True)
        self.as_of.setEnabled(False)
        self.latest.toggled.connect(lambda on: self.as_of.setEnabled(not on))
        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.filter.setCurrentText("Open")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search record or owner")
        self.search.setClearButtonEnabled(True)
        self.filter.currentIndexChanged.connect(self._refilter)
        self.search.textChanged.connect(self._refilter)

        controls = QHBoxLayout()
        for widget in (self.latest, self.as_of, QLabel("Show"), self.filter, self.search):
            controls.addWidget(widget)
        controls.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(controls)
        layout.addWidget(self.table)
        self.setCentralWidget(body)
        self.summary = QLabel()
        self.statusBar().addPermanentWidget(self.summary)

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

    # ----- evaluation --------------------------------------------------------------------
    def request(self) -> EvaluationRequest:
        as_of = None if self.latest.isChecked() else self.as_of.dateTime().toSecsSinceEpoch()
        return EvaluationRequest(self.matrix_path, self.events_path, as_of)

    def start_evaluation(self) -> None:
        if self._thread is not None:
            return
        self.statusBar().showMessage(f"Evaluating {self.events_path.name}…")
        self.refresh_action.setEnabled(False)
        thread = QThread(self)
        worker = EvaluateWorker(self.request())
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.finished.connect(self._show)
        worker.failed.connect(self._fail)
        worker.crashed.connect(self._crash)
        for signal in (worker.finished, worker.failed, worker.crashed):
            signal.connect(thread.quit)
        thread.finished.connect(self._done)
        self._thread, self._worker = thread, worker
        thread.start()

    def _done(self) -> None:
        if self._thread is not None:
            self._thread.wait()
            self._thread.deleteLater()
        if self._worker is not None:
            self._worker.deleteLater()
        self._thread = self._worker = None
        self.refresh_action.setEnabled(True)

    def _show(self, result: Evaluation) -> None:
        self.model.set_clocks(result.clocks, result.names)
        self._refilter()
        self.table.resizeColumnsToContents()
        as_of = QDateTime.fromSecsSinceEpoch(result.as_of, QTimeZone.systemTimeZone())
        if self.latest.isChecked():
            self.as_of.setDateTime(as_of)
        self.setWindowTitle(f"slaapp — {result.matrix_name} — {self.events_path.name}")
        self.statusBar().showMessage(
            f"{result.events:,} events, {len(result.clocks):,} clocks as of {as_of.toString('ddd dd MMM yyyy HH:mm')}"
        )
        self.evaluated.emit(result)

    def _fail(self, message: str) -> None:
        self.statusBar().showMessage("The files could not be evaluated")
        self.failed.emit(message)
        if self.isVisible():
            QMessageBox.warning(self, "slaapp", message)

    def _crash(self, message: str) -> None:
        self.statusBar().showMessage("Evaluation failed")
        QMessageBox.critical(
            self, "slaapp", f"Something went wrong (details are in the log):\n{message}"
        )

    def _refilter(self) -> None:
        self.model.set_filter(FILTERS[self.filter.currentText()], self.search.text())
        counts = self.model.counts()
        parts = [f"{counts[s]:,} {STATUS_LABELS[s].lower()}" for s in sorted(counts)]
        self.summary.setText(" · ".join(parts) if parts else "No clocks")

    # ----- files -------------------------------------------------------------------------
    def choose_matrix(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open SLA matrix", str(self.matrix_path.parent), "SLA matrix (*.json)"
        )
        if path:
            self.matrix_path = Path(path)
            self.settings.setValue("matrix", path)
            self.start_evaluation()

    def choose_events(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open event log",
            str(self.events_path.parent),
            "Event logs (*.csv *.tsv *.txt *.xlsx *.xlsm)",
        )
        if path:
            self.events_path = Path(path)
            self.settings.setValue("events", path)
            self.start_evaluation()

    def about(self) -> None:
        QMessageBox.about(
            self, "About slaapp", f"slaapp {__version__}\nHandoff SLA monitor for revenue teams."
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
        super().closeEvent(event)
