"""The dashboard's charts in their grid (imported on a worker the first time: pyqtgraph is slow to load)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import pyqtgraph as pg
from PySide6.QtCore import QT_TR_NOOP, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from slaapp.engine.metrics_dashboard import BREAKDOWN_TITLES
from slaapp.services.dashboard import DashboardData
from slaapp.views.common.chart_bars import BarChart
from slaapp.views.common.chart_base import ChartCard
from slaapp.views.common.chart_heat import HeatChart
from slaapp.views.common.chart_time import AdherenceChart
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.dashboard.charts import DistributionChart, HeadlineFigures, breakdown_bars
from slaapp.views.dashboard.reps import RepScorecardPanel

pg.setConfigOptions(antialias=True)
C = TypeVar("C", bound=ChartCard)
PLACES = {"source": (2, 2, 2), "segment": (2, 4, 2), "deal_size": (4, 0, 3), "team": (4, 3, 3)}
"""Grid row, column and column span of each breakdown chart."""

# The engine's breakdown titles (engine/metrics_dashboard.py has no Qt), marked for the catalogue.
_BREAKDOWN_MARKS = (
    QT_TR_NOOP("Lead source"),
    QT_TR_NOOP("Segment"),
    QT_TR_NOOP("Deal size"),
    QT_TR_NOOP("Team"),
)


class DashboardBoard(QWidget):
    """Headline figures, adherence over time, the heat map, the histogram, rep scorecards and
    the breakdowns, built one chart at a time (`build_next`) so the GUI thread never stalls.

    Signals: picked(str, object): a caption and the clock indices behind a click."""

    picked = Signal(str, object)
    headline: HeadlineFigures
    adherence: AdherenceChart
    heat: HeatChart
    distribution: DistributionChart
    reps: RepScorecardPanel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.breakdowns: dict[str, BarChart] = {}
        self.grid = QGridLayout(self)
        self.grid.setSpacing(10)
        self.grid.setRowStretch(5, 1)  # spare height goes below the charts
        self._steps: list[Callable[[], None]] = [
            self._headline, self._adherence, self._heat, self._distribution,
            *(partial(self._breakdown, key) for key in ("source", "segment")), self._reps,
            *(partial(self._breakdown, key) for key in ("deal_size", "team")),
        ]  # fmt: skip

    def build_next(self) -> bool:
        """Build the next chart (each takes 10 to 30 ms); False once every chart is built."""
        if self._steps:
            self._steps.pop(0)()
        return bool(self._steps)

    def build_all(self) -> None:
        while self.build_next():
            pass

    @property
    def built(self) -> bool:
        return not self._steps

    def _headline(self) -> None:
        self.headline = HeadlineFigures()
        self.grid.addWidget(self.headline, 0, 0, 1, 6)

    def _adherence(self) -> None:
        self.adherence = self._card(AdherenceChart(), 1, 0, 4)

    def _heat(self) -> None:
        self.heat = self._card(HeatChart(), 1, 4, 2)

    def _distribution(self) -> None:
        self.distribution = self._card(DistributionChart(), 2, 0, 2)

    def _reps(self) -> None:
        self.reps = RepScorecardPanel()
        self.reps.picked.connect(self.picked)
        self.reps.chart.picked.connect(self.picked)
        self.grid.addWidget(self.reps, 3, 0, 1, 6)

    def _breakdown(self, key: str) -> None:
        chart = BarChart(
            tr("By {group}").format(group=tr_marked(BREAKDOWN_TITLES[key]).lower()),
            tr("Adherence per group; red: more than 5 points under the whole period."),
        )
        row, column, span = PLACES[key]
        self.breakdowns[key] = self._card(chart, row, column, span)

    def _card(self, chart: C, row: int, column: int, span: int) -> C:
        chart.picked.connect(self.picked)
        self.grid.addWidget(chart, row, column, 1, span)
        return chart

    def charts(self) -> list[ChartCard]:
        """Every chart card, for click-through, export and theming."""
        return [self.adherence, self.heat, self.distribution, self.reps.chart,
                *self.breakdowns.values()]  # fmt: skip

    def show_data(self, data: DashboardData, caption: str) -> None:
        """Draw every chart from one load; `caption` goes under an exported chart's title."""
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
        overall = float(metrics.summary.adherence[0]) if len(data) else data.goal
        for key, chart in self.breakdowns.items():
            chart.set_bars(breakdown_bars(metrics.breakdowns[key], data.goal, overall))
        for chart in self.charts():  # an exported chart says what it shows
            chart.export_context = caption
