"""Adherence over time: a line per handoff, all handoffs in bold, and the adherence goal."""

from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TR_NOOP, QPointF, Qt
from PySide6.QtWidgets import QLabel, QWidget

from slaapp.engine.metrics_time import AdherenceSeries
from slaapp.views.common.chart_base import I64, ChartCard
from slaapp.views.common.chart_theme import count, percent
from slaapp.views.common.i18n import tr, tr_marked

ALL = QT_TR_NOOP("All handoffs")
"""The line of every handoff together, by its untranslated legend name."""


class AdherenceChart(ChartCard):
    """Adherence per day or week; hovering a day lists every handoff, clicking it lists its clocks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.series: AdherenceSeries | None = None
        self.goal = 0.9
        super().__init__(
            tr("Adherence over time"),
            tr(
                "Met ÷ (met + missed + open late) of the clocks started each day, per handoff; "
                "dashed: the goal."
            ),
            parent,
        )
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.body.addWidget(self.legend)

    def set_series(self, series: AdherenceSeries, goal: float) -> None:
        self.series, self.goal = series, goal
        self.subtitle.setText(
            tr(
                "Met ÷ (met + missed + open late) of the clocks started each day, per handoff; "
                "dashed: the goal."
            )
            if series.step == "day"
            else tr(
                "Met ÷ (met + missed + open late) of the clocks started each week, per handoff; "
                "dashed: the goal."
            )
        )
        self.draw()

    def lines(self) -> dict[str, list[float]]:
        """Adherence per bucket of every drawn line, by its legend name (NaN: nothing judged)."""
        if self.series is None:
            return {}
        total = self.series.total
        found = {ALL: total.adherence.tolist()} if (total.met + total.missed).any() else {}
        shape = (len(self.series.handoffs), len(self.series.buckets))
        table = self.series.by_handoff.adherence.reshape(shape)
        judged = (self.series.by_handoff.met + self.series.by_handoff.missed).reshape(table.shape)
        for h, name in enumerate(self.series.handoffs):
            if judged[h].sum() > 0:
                found[name] = table[h].tolist()
        return found

    def draw(self) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        series, theme = self.series, self.theme
        self.legend.clear()
        if series is None or not series.buckets:
            return
        keys: list[str] = []
        x = np.arange(len(series.buckets), dtype=np.float64)
        for i, (name, values) in enumerate(self.lines().items()):
            y = np.array(values, dtype=np.float64)
            if name == ALL:
                pen = pg.mkPen(theme.foreground, width=3)
                symbol: str | None = "o"
            else:
                pen = pg.mkPen(theme.series[(i - 1) % len(theme.series)], width=1.5)
                symbol = None
            item.plot(x, y, pen=pen, connect="finite", symbol=symbol,
                      symbolSize=5, symbolBrush=theme.foreground, symbolPen=None)  # fmt: skip
            colour = pen.color().name()
            weight = "font-weight:600;" if name == ALL else ""
            shown = tr_marked(ALL) if name == ALL else name
            keys.append(
                f'<span style="color:{colour};{weight}white-space:nowrap">━━ {escape(shown)}</span>'
            )  # one key never breaks over two lines
        goal_words = tr("Goal {goal}").format(goal=f"{self.goal:.0%}")
        keys.append(
            f'<span style="color:{theme.goal.name()};white-space:nowrap">┅┅ {goal_words}</span>'
        )
        self.legend.setText("&nbsp;&nbsp; ".join(keys))  # the goal is named here, not on lines
        goal = pg.InfiniteLine(
            self.goal, angle=0, pen=pg.mkPen(theme.goal, width=2, style=Qt.PenStyle.DashLine)
        )
        item.addItem(goal)
        every = max(1, math.ceil(len(series.buckets) / 10))
        ticks = [(float(i), _short(b)) for i, b in enumerate(series.buckets) if i % every == 0]
        item.getAxis("bottom").setTicks([ticks])
        shares = [(v / 10, f"{v * 10}%") for v in range(0, 11, 2)]
        item.getAxis("left").setTicks([shares])
        self.reserve_left_labels(label for _, label in shares)
        item.setRange(
            xRange=(-0.5, len(series.buckets) - 0.5), yRange=(-0.05, 1.05), padding=0
        )  # room for "0%"

    def export_widgets(self) -> list[QWidget]:
        return [self.plot, self.legend]

    def hit(self, point: QPointF) -> Any:
        if self.series is None or not self.series.buckets:
            return None
        index = round(point.x())
        return index if 0 <= index < len(self.series.buckets) else None

    def tooltip(self, key: Any) -> str:
        series = self.series
        if series is None:
            return ""
        b = int(key)
        total = series.total
        label = (
            tr("Week of {day}").format(day=series.buckets[b])
            if series.step == "week"
            else series.buckets[b]
        )
        rows = [
            f"<b>{label}</b>",
            tr("All handoffs: {adherence} of {judged} judged, {late} breached").format(
                adherence=percent(total.adherence[b]),
                judged=count(total.met[b] + total.missed[b]),
                late=count(total.late[b]),
            ),
        ]
        stats = series.by_handoff
        for h, name in enumerate(series.handoffs):
            g = series.handoff_group(h, b)
            if stats.met[g] + stats.missed[g]:
                rows.append(
                    f"{name}: {percent(stats.adherence[g])} ({count(stats.met[g] + stats.missed[g])})"
                )
        rows.append(tr("<i>Click to list the clocks</i>"))
        return "<br>".join(rows)

    def clocks(self, key: Any) -> tuple[str, I64] | None:
        if self.series is None:
            return None
        b = int(key)
        caption = (
            tr("Clocks started the week of {day}")
            if self.series.step == "week"
            else tr("Clocks started {day}")
        )
        return caption.format(day=self.series.buckets[b]), self.series.total.members.of(b)


def _short(day: str) -> str:
    """`2026-11-02` as `2 Nov`."""
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{int(day[8:10])} {months[int(day[5:7]) - 1]}"
