"""Bar charts: horizontal bars with per-bar reference marks and a goal line, or vertical histograms."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from slaapp.views.common.chart_base import I64, ChartCard
from slaapp.views.common.chart_theme import percent
from slaapp.views.common.i18n import tr

F64 = npt.NDArray[np.float64]
BAR = 0.7
LABELLED = 40
"""Horizontal charts with at most this many bars print each value beside its bar."""
INSIDE_FROM = 0.45
"""A bar longer than this share of the scale has its value printed inside its end."""
GOAL_BAND = 1.1
"""Rows of free space above the first bar, where the goal line is named."""
AXIS_LABEL = 22
"""Group names longer than this are shortened on the axis (the tooltip has them whole)."""


@dataclass(frozen=True, eq=False)
class Bars:
    """What a bar chart shows: one bar per label, its tooltip and the clocks behind it."""

    labels: tuple[str, ...]
    values: F64  # NaN: no bar
    tooltips: tuple[str, ...]
    clocks: Callable[[int], I64]
    reference: F64 | None = None  # a mark per bar (e.g. the team average)
    reference_name: str = ""
    goal: float | None = None
    bad: npt.NDArray[np.bool_] | None = None  # bars drawn in the warning colour
    value_text: Callable[[float], str] = percent
    ticks: Sequence[tuple[float, str]] | None = None  # vertical charts: custom axis ticks
    marker: float | None = None  # vertical charts: a line at this x (e.g. the target)
    marker_name: str = ""
    percent_axis: bool = True  # values are shares: label the value axis 0 %..100 %

    def __len__(self) -> int:
        return len(self.labels)


class BarChart(ChartCard):
    """Bars from a `Bars`; `horizontal` puts labels on the left, one bar per row."""

    def __init__(
        self,
        title: str,
        subtitle: str = "",
        *,
        horizontal: bool = True,
        empty: str = "",
        parent: QWidget | None = None,
    ) -> None:
        self.horizontal = horizontal
        self.bars: Bars | None = None
        self.empty_text = empty or tr("No clocks in this period")
        super().__init__(title, subtitle, parent)
        if horizontal:
            self.plot.getPlotItem().getViewBox().invertY(True)
            self.plot.getPlotItem().showGrid(x=True, y=False, alpha=0.15)

    def set_bars(self, bars: Bars) -> None:
        self.bars = bars
        self.draw()

    def bar_values(self) -> list[float]:
        """The values drawn, bar by bar (NaN for no bar), for tests and exports."""
        return [] if self.bars is None else [float(v) for v in self.bars.values]

    def draw(self) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        bars, theme = self.bars, self.theme
        if bars is None or len(bars) == 0:
            text = pg.TextItem(self.empty_text, color=theme.muted, anchor=(0.5, 0.5))
            item.addItem(text)
            text.setPos(0.5, 0.5)
            item.getAxis("left").setTicks([[]])
            item.getAxis("bottom").setTicks([[]])
            item.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            return
        positions = np.arange(len(bars), dtype=np.float64)
        values = np.nan_to_num(bars.values, nan=0.0)
        bad = bars.bad if bars.bad is not None else np.zeros(len(bars), dtype=np.bool_)
        brushes = [pg.mkBrush(theme.bad if b else theme.series[0]) for b in bad.tolist()]
        if self.horizontal:
            graph = pg.BarGraphItem(
                x0=0, y=positions, height=BAR, width=values, brushes=brushes, pen=None
            )
        else:
            graph = pg.BarGraphItem(
                x=positions, height=values, width=BAR, brushes=brushes, pen=None
            )
        item.addItem(graph)
        top = float(np.nanmax(values)) if values.size else 1.0
        scale = max(top, bars.goal or 0.0, float(np.nanmax(bars.reference)) if bars.reference is not None and not np.isnan(bars.reference).all() else 0.0)  # fmt: skip
        scale = scale if scale > 0 else 1.0
        self._draw_reference(bars, positions)
        if bars.goal is not None:
            self._draw_goal(bars.goal)
        if bars.marker is not None:
            line = pg.InfiniteLine(
                bars.marker, angle=90, pen=pg.mkPen(theme.goal, width=2, style=Qt.PenStyle.DashLine),
                label=bars.marker_name, labelOpts={"color": theme.goal, "position": 0.95, "anchors": [(0, 0), (0, 0)]},
            )  # fmt: skip
            item.addItem(line)
        labelled = self.horizontal and len(bars) <= LABELLED  # else the tooltips tell
        for i, value in enumerate(bars.values.tolist() if labelled else ()):
            if not math.isnan(value):
                mark = math.nan if bars.reference is None else float(bars.reference[i])
                fill = theme.bad if bad[i] else theme.series[0]
                self._draw_value(i, value, scale, bars.value_text(value), mark, fill)
        ticks = [(float(i), label) for i, label in enumerate(bars.labels)]
        shares = [(v / 5, f"{v * 20}%") for v in range(0, 6)] if bars.percent_axis else None
        if self.horizontal:
            names = [(at, _short(label)) for at, label in ticks]
            item.getAxis("left").setTicks([names])
            self.reserve_left_labels(label for _, label in names)
            item.getAxis("bottom").setTicks([shares] if shares else None)
            top = -0.6 - (GOAL_BAND if bars.goal is not None else 0.0)  # a free row for the goal
            item.setRange(xRange=(0, scale * 1.08), yRange=(top, len(bars) - 0.4), padding=0)
        else:
            item.getAxis("bottom").setTicks(
                [list(bars.ticks)] if bars.ticks is not None else [ticks]
            )
            item.getAxis("left").setTicks([shares] if shares else None)
            self.reserve_left_labels(label for _, label in shares or [(0, "00000")])
            item.setRange(xRange=(-0.6, len(bars) - 0.4), yRange=(0, scale * 1.15), padding=0)

    def _draw_goal(self, goal: float) -> None:
        """The goal as a dashed line; horizontal charts name it in a free band above the first
        bar (never on a bar or a value), vertical ones at the right end of the line."""
        item, theme = self.plot.getPlotItem(), self.theme
        pen = pg.mkPen(theme.goal, width=2, style=Qt.PenStyle.DashLine)
        words = tr("Goal {goal}").format(goal=f"{goal:.0%}")
        if not self.horizontal:
            item.addItem(pg.InfiniteLine(goal, angle=0, pen=pen, label=words,
                                         labelOpts={"color": theme.goal, "position": 0.98, "anchors": [(1, 1), (1, 1)]}))  # fmt: skip
            return
        item.addItem(pg.InfiniteLine(goal, angle=90, pen=pen))
        name = pg.TextItem(words, color=theme.goal, anchor=(1, 0))  # hangs from the top
        name.setPos(goal, -0.6 - GOAL_BAND)
        item.addItem(name)

    def _draw_value(
        self, row: int, value: float, scale: float, text: str, mark: float, fill: QColor
    ) -> None:
        """A bar's value: inside its end when the bar is long (so it is never cut at the plot's
        edge), after it when short (the half of the plot right of it is free). Inside, it ends
        before a reference `mark` that crosses the bar, so the mark never strikes it."""
        inside = value > scale * INSIDE_FROM
        end = value
        if inside and not math.isnan(mark) and scale * INSIDE_FROM < mark < value:
            end = mark - scale * 0.01
        on_bar = QColor("black") if fill.lightnessF() > 0.6 else QColor("white")  # dark palette
        colour = on_bar if inside else self.theme.foreground
        label = pg.TextItem(text, color=colour, anchor=(1, 0.5) if inside else (0, 0.5))
        label.setPos(end - scale * 0.01 if inside else value + scale * 0.01, row)
        self.plot.getPlotItem().addItem(label)

    def _draw_reference(self, bars: Bars, positions: F64) -> None:
        if bars.reference is None:
            return
        known = ~np.isnan(bars.reference)
        ref, at = bars.reference[known], positions[known]
        xs = np.repeat(ref, 2)
        ys = np.column_stack((at - BAR / 2 - 0.08, at + BAR / 2 + 0.08)).ravel()
        if not self.horizontal:
            xs, ys = ys, xs
        pen = pg.mkPen(self.theme.reference, width=3)
        self.plot.getPlotItem().addItem(
            pg.PlotDataItem(xs, ys, connect="pairs", pen=pen, name=bars.reference_name)
        )

    def hit(self, point: QPointF) -> Any:
        if self.bars is None or len(self.bars) == 0:
            return None
        along = point.y() if self.horizontal else point.x()
        index = round(along)
        if 0 <= index < len(self.bars) and abs(along - index) <= BAR / 2 + 0.1:
            return index
        return None

    def tooltip(self, key: Any) -> str:
        return self.bars.tooltips[int(key)] if self.bars is not None else ""

    def clocks(self, key: Any) -> tuple[str, I64] | None:
        if self.bars is None:
            return None
        index = int(key)
        return f"{self.title.text()}: {self.bars.labels[index]}", self.bars.clocks(index)


def _short(label: str) -> str:
    """A group name short enough for the axis: `Assigned to first conta…`."""
    return label if len(label) <= AXIS_LABEL else label[: AXIS_LABEL - 1].rstrip() + "…"
