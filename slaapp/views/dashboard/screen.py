"""The dashboard: where SLAs slip, for one period and filter, with the clocks behind every bar."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QT_TR_NOOP, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.display_time import show_instant, zone_words
from slaapp.services.dashboard import DashboardData, DashboardFilter, load_dashboard, with_step
from slaapp.services.database import Database
from slaapp.services.store import now
from slaapp.views.common.column_fit import fitted_widths
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.common.jobs import JobRunner
from slaapp.views.dashboard.caption import export_caption
from slaapp.views.dashboard.clocks import I64, SHRINK_STAGES, ClockListModel
from slaapp.views.dashboard.filter import FilterBar

if TYPE_CHECKING:
    from slaapp.views.common.chart_bars import BarChart
    from slaapp.views.common.chart_base import ChartCard
    from slaapp.views.common.chart_heat import HeatChart
    from slaapp.views.common.chart_time import AdherenceChart
    from slaapp.views.dashboard.board import DashboardBoard
    from slaapp.views.dashboard.charts import DistributionChart, HeadlineFigures
    from slaapp.views.dashboard.reps import RepScorecardPanel

BOARD = "slaapp.views.dashboard.board"
"""The charts' module: it loads pyqtgraph (over 100 ms), so the first open imports it on a worker."""
EMPTY_DATABASE = QT_TR_NOOP(
    "No clocks yet. Load the demo org or import an event log, then come back here."
)
EMPTY_PERIOD = QT_TR_NOOP(
    "No clocks started in this period with these filters. Widen the period or clear a filter."
)
CHARTS_SHARE = 0.72
"""Of the height below the filters, what the charts get (the clock list the rest)."""
LIST_SAMPLE = 40
"""The clock list sizes its columns from this many rows (thousands would stall the GUI)."""
PICK_HINT = QT_TR_NOOP(
    "Click a bar, point or heat-map cell to list the clocks behind it; double-click a clock to "
    "open its record."
)


class DashboardScreen(QWidget):
    """A Screen. Signals: open_record(int) a records.id, message(str) status text, data_changed()
    (never: read only), loaded(DashboardData) after each load is shown."""

    title = QT_TR_NOOP("Dashboard")
    open_record = Signal(int)
    message = Signal(str)
    data_changed = Signal()
    loaded = Signal(object)

    def __init__(self, database: Database, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.jobs = jobs
        self.clock: Callable[[], int] = now
        self.data: DashboardData | None = None
        self._wanted: DashboardFilter | None = None
        self._build(date.today())

    # ----- layout ------------------------------------------------------------------------
    def _build(self, today: date) -> None:
        title = QLabel(tr_marked(self.title))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        self.context = QLabel()
        self.context.setEnabled(False)
        self.filters = FilterBar(today)
        self.filters.changed.connect(self.load)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self._board: DashboardBoard | None = None
        self._pending: DashboardData | None = None  # a load that came before the charts
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        waiting = QLabel(tr("Preparing the charts…"))
        waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        waiting.setEnabled(False)
        self.scroll.setWidget(waiting)

        self.list_caption = QLabel(tr_marked(PICK_HINT))
        self.list_caption.setWordWrap(True)
        self.list_model = ClockListModel()
        self.list = QTableView()
        self.list.setModel(self.list_model)
        self.list.setSortingEnabled(True)
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(False)  # one line per clock: narrowed text elides
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.verticalHeader().hide()
        self.list.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        self.list.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.list.horizontalHeader().setStretchLastSection(True)
        self.list.horizontalHeader().setResizeContentsPrecision(LIST_SAMPLE)  # never every row
        self.list.horizontalHeader().setDefaultSectionSize(88)  # empty, it fits 1280 px
        self.list.doubleClicked.connect(self._open)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        lower_layout.addWidget(self.list_caption)
        lower_layout.addWidget(self.list)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.scroll)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self._split_moved = False
        self.splitter.splitterMoved.connect(self._moved)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.context)
        layout.addWidget(self.filters)
        layout.addWidget(self.notice)
        layout.addWidget(self.splitter, 1)

        if BOARD in sys.modules:  # imported already: build the charts now
            self._build_board(sys.modules[BOARD])
        else:  # the first time, pyqtgraph loads on a worker, not on the GUI thread
            self.jobs.start(partial(import_module, BOARD), self._build_board, self._failed,
                            self._crashed)  # fmt: skip

    def _build_board(self, module: ModuleType) -> None:
        """Build the charts one per event-loop turn, then show a load that came meanwhile."""
        board: DashboardBoard = module.DashboardBoard()
        board.picked.connect(self.show_clocks)
        self._board = board
        if self.isVisible():
            self._build_step()
        else:  # not shown (tests, self-test): nothing to keep responsive
            board.build_all()
            self._board_built()

    def _build_step(self) -> None:
        if self._board is not None and self._board.build_next():
            QTimer.singleShot(0, self, self._build_step)  # cancelled if the screen goes
        else:
            self._board_built()

    def _board_built(self) -> None:
        self.scroll.setWidget(self.board)
        total = sum(self.splitter.sizes())
        if total > 0 and not self._split_moved:  # the charts take most of the height
            charts = round(total * CHARTS_SHARE)
            self.splitter.setSizes([charts, total - charts])
        pending, self._pending = self._pending, None
        if pending is not None:
            self.show_data(pending)

    def _moved(self) -> None:
        self._split_moved = True

    @property
    def board(self) -> DashboardBoard:
        """The charts (built once their module has loaded: before the first load is shown)."""
        if self._board is None:
            raise LookupError("the dashboard's charts are not built yet")
        return self._board

    @property
    def headline(self) -> HeadlineFigures:
        return self.board.headline

    @property
    def adherence(self) -> AdherenceChart:
        return self.board.adherence

    @property
    def heat(self) -> HeatChart:
        return self.board.heat

    @property
    def distribution(self) -> DistributionChart:
        return self.board.distribution

    @property
    def reps(self) -> RepScorecardPanel:
        return self.board.reps

    @property
    def breakdowns(self) -> dict[str, BarChart]:
        return self.board.breakdowns

    def charts(self) -> list[ChartCard]:
        """Every chart card, for click-through, export and theming."""
        return self.board.charts() if self._board is not None and self._board.built else []

    # ----- Screen --------------------------------------------------------------------------
    def widget(self) -> QWidget:
        return self

    def shutdown(self) -> None:
        """Nothing of its own runs in the background (its jobs run on the app's runner)."""

    # ----- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the current period and filters (the main window calls this when shown)."""
        self.filters.set_today(date.today())
        self.load(self.filters.current())

    def load(self, chosen: DashboardFilter) -> None:
        self._wanted = chosen
        self.context.setText(tr("Loading {period}…").format(period=chosen.describe()))
        shown = self.data
        if shown is not None and replace(shown.filter, step=chosen.step) == chosen:
            work: Callable[[], DashboardData] = partial(
                with_step, shown, chosen.step
            )  # same clocks
        else:
            work = partial(load_dashboard, self.database, chosen, self.clock())
        self.jobs.start(work, self._loaded, self._failed, self._crashed)

    def _loaded(self, result: DashboardData) -> None:
        if result.filter != self._wanted:
            return  # a newer choice is on its way
        self.show_data(result)

    def show_data(self, data: DashboardData) -> None:
        """Draw every chart from one load and clear the clock list."""
        if self._board is None or not self._board.built:
            self._pending = data  # shown as soon as the charts are built
            return
        self.data = data
        self.filters.set_choices(data.choices)
        self.board.show_data(data, export_caption(data))
        self.show_clocks(PICK_HINT, np.zeros(0, dtype=np.int64))
        at = show_instant(data.as_of, data.zone, weekday=False)
        self.context.setText(
            tr("{period} · {count} clocks · judged at {at} {zone}").format(
                period=data.period_words(),
                count=f"{len(data):,}",
                at=at,
                zone=zone_words(data.zone),
            )
        )
        self.context.setToolTip(tr("Times in {zone}").format(zone=data.zone))
        empty = (
            tr_marked(EMPTY_DATABASE)
            if data.stored == 0
            else f"{tr_marked(EMPTY_PERIOD)} {data.empty_words()}"
            if len(data) == 0
            else ""
        )
        self.notice.setText(f"<b>{empty}</b>" if empty else "")
        self.notice.setVisible(bool(empty))
        self.message.emit(tr("Dashboard: {count} clocks").format(count=f"{len(data):,}"))
        self.loaded.emit(data)

    def _failed(self, text: str) -> None:
        self.notice.setText(tr("<b>The dashboard could not be loaded:</b> {why}").format(why=text))
        self.notice.show()
        self.message.emit(tr("The dashboard could not be loaded"))

    def _crashed(self, text: str) -> None:
        self.notice.setText(
            tr(
                "<b>Something went wrong while loading the dashboard</b> (details in the log): "
                "{why}"
            ).format(why=text)
        )
        self.notice.show()
        self.message.emit(tr("Something went wrong"))

    # ----- click-through ---------------------------------------------------------------------
    def show_clocks(self, caption: str, rows: I64) -> None:
        """List the clocks at these indices of the loaded data."""
        self.list_model.set_clocks(self.data, rows)
        shown = (
            tr_marked(caption)
            if rows.size == 0 and caption == PICK_HINT
            else tr("<b>{caption}</b> — {count} clocks").format(
                caption=caption, count=f"{rows.size:,}"
            )
        )
        self.list_caption.setText(shown)
        if rows.size:
            self._fit_list()

    def _fit_list(self) -> None:
        """Columns sized to their contents (a sample of rows), then fitted to the list's width
        so it never scrolls sideways; elided cells show their whole text as a tooltip."""
        self.list.resizeColumnsToContents()
        header = self.list.horizontalHeader()
        widths = {c: header.sectionSize(c) for c in range(self.list_model.columnCount())}
        room = self.list.viewport().width()
        fitted = fitted_widths(widths, room, SHRINK_STAGES, last=max(widths))
        for column, width in fitted.items():
            header.resizeSection(column, width)

    def _open(self, index: QModelIndex) -> None:
        row = index.row()
        if 0 <= row < self.list_model.rowCount():
            self.open_record.emit(self.list_model.record_id(row))
