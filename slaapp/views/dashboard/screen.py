"""The dashboard: where SLAs slip, for one period and filter, with the clocks behind every bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.display_time import show_instant, zone_words
from slaapp.engine.metrics_dashboard import BREAKDOWN_TITLES
from slaapp.services.dashboard import DashboardData, DashboardFilter, load_dashboard, with_step
from slaapp.services.database import Database
from slaapp.services.store import now
from slaapp.views.common.chart_bars import BarChart
from slaapp.views.common.chart_base import I64, ChartCard
from slaapp.views.common.chart_heat import HeatChart
from slaapp.views.common.chart_time import AdherenceChart
from slaapp.views.common.jobs import JobRunner
from slaapp.views.dashboard.charts import DistributionChart, HeadlineFigures, breakdown_bars
from slaapp.views.dashboard.clocks import ClockListModel
from slaapp.views.dashboard.filter import FilterBar
from slaapp.views.dashboard.reps import RepScorecardPanel

pg.setConfigOptions(antialias=True)
EMPTY_DATABASE = "No clocks yet. Load the demo org or import an event log, then come back here."
EMPTY_PERIOD = (
    "No clocks started in this period with these filters. Widen the period or clear a filter."
)
PICK_HINT = "Click a bar, point or heat-map cell to list the clocks behind it; double-click a clock to open its record."


class DashboardScreen(QWidget):
    """A Screen. Signals: open_record(int) a records.id, message(str) status text, data_changed()
    (never: read only), loaded(DashboardData) after each load is shown."""

    title = "Dashboard"
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
        title = QLabel(self.title)
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
        self.headline = HeadlineFigures()
        self.adherence = AdherenceChart()
        self.heat = HeatChart()
        self.distribution = DistributionChart()
        self.reps = RepScorecardPanel()
        self.breakdowns = {
            key: BarChart(
                f"By {title.lower()}",
                "Adherence per group; red: more than 5 points under the whole period.",
            )
            for key, title in BREAKDOWN_TITLES.items()
        }
        grid = QGridLayout()
        grid.setSpacing(10)
        grid.addWidget(self.headline, 0, 0, 1, 6)
        grid.addWidget(self.adherence, 1, 0, 1, 4)
        grid.addWidget(self.heat, 1, 4, 1, 2)
        grid.addWidget(self.distribution, 2, 0, 1, 2)
        grid.addWidget(self.breakdowns["source"], 2, 2, 1, 2)
        grid.addWidget(self.breakdowns["segment"], 2, 4, 1, 2)
        grid.addWidget(self.reps, 3, 0, 1, 6)
        grid.addWidget(self.breakdowns["deal_size"], 4, 0, 1, 3)
        grid.addWidget(self.breakdowns["team"], 4, 3, 1, 3)
        grid.setRowStretch(5, 1)  # spare height goes below the charts
        for chart in self.charts():
            chart.picked.connect(self.show_clocks)
        self.reps.picked.connect(self.show_clocks)
        board = QWidget()
        board.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(board)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.list_caption = QLabel(PICK_HINT)
        self.list_caption.setWordWrap(True)
        self.list_model = ClockListModel()
        self.list = QTableView()
        self.list.setModel(self.list_model)
        self.list.setSortingEnabled(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.verticalHeader().hide()
        self.list.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.list.horizontalHeader().setStretchLastSection(True)
        self.list.doubleClicked.connect(self._open)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        lower_layout.addWidget(self.list_caption)
        lower_layout.addWidget(self.list)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.context)
        layout.addWidget(self.filters)
        layout.addWidget(self.notice)
        layout.addWidget(self.splitter, 1)

    def charts(self) -> list[ChartCard]:
        """Every chart card, for click-through, export and theming."""
        return [self.adherence, self.heat, self.distribution, self.reps.chart,
                *self.breakdowns.values()]  # fmt: skip

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
        self.context.setText(f"Loading {chosen.describe()}…")
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
        self.data = data
        self.filters.set_choices(data.choices)
        metrics = data.metrics
        self.headline.set_figures(metrics.summary, data.goal)
        self.adherence.set_series(metrics.adherence, data.goal)
        self.heat.set_heat(metrics.heat)
        prefer = (
            data.handoff_keys.index(data.filter.handoff)
            if data.filter.handoff in data.handoff_keys
            else None
        )
        self.distribution.set_distribution(metrics.responses, prefer)
        self.reps.set_scorecards(metrics.reps, data.goal)
        for key, chart in self.breakdowns.items():
            overall = float(metrics.summary.adherence[0]) if len(data) else data.goal
            chart.set_bars(breakdown_bars(metrics.breakdowns[key], data.goal, overall))
        self.show_clocks(PICK_HINT, np.zeros(0, dtype=np.int64))
        at = show_instant(data.as_of, data.zone, weekday=False)
        self.context.setText(
            f"{data.period_words()} · {len(data):,} clocks · judged at {at} {zone_words(data.zone)}"
        )
        self.context.setToolTip(f"Times in {data.zone}")
        for chart in self.charts():  # an exported chart says what it shows
            chart.export_context = self.context.text()
        empty = (
            EMPTY_DATABASE
            if data.stored == 0
            else f"{EMPTY_PERIOD} {data.empty_words()}"
            if len(data) == 0
            else ""
        )
        self.notice.setText(f"<b>{empty}</b>" if empty else "")
        self.notice.setVisible(bool(empty))
        self.message.emit(f"Dashboard: {len(data):,} clocks")
        self.loaded.emit(data)

    def _failed(self, text: str) -> None:
        self.notice.setText(f"<b>The dashboard could not be loaded:</b> {text}")
        self.notice.show()
        self.message.emit("The dashboard could not be loaded")

    def _crashed(self, text: str) -> None:
        self.notice.setText(
            f"<b>Something went wrong while loading the dashboard</b> (details in the log): {text}"
        )
        self.notice.show()
        self.message.emit("Something went wrong")

    # ----- click-through ---------------------------------------------------------------------
    def show_clocks(self, caption: str, rows: I64) -> None:
        """List the clocks at these indices of the loaded data."""
        self.list_model.set_clocks(self.data, rows)
        shown = (
            caption
            if rows.size == 0 and caption == PICK_HINT
            else f"<b>{caption}</b> — {rows.size:,} clocks"
        )
        self.list_caption.setText(shown)
        if rows.size and not self.list.horizontalHeader().sectionSize(0) > 160:
            self.list.resizeColumnsToContents()

    def _open(self, index: QModelIndex) -> None:
        row = index.row()
        if 0 <= row < self.list_model.rowCount():
            self.open_record.emit(self.list_model.record_id(row))
