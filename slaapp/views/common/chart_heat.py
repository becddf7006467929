"""Breaches by weekday and hour of the clock's start, as a heat map in the display time zone."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QWidget

from slaapp.engine.display_time import zone_words
from slaapp.engine.metrics_time import WEEKDAY_NAMES, BreachHeat
from slaapp.views.common.chart_base import I64, ChartCard
from slaapp.views.common.chart_theme import count, percent
from slaapp.views.common.i18n import tr


class HeatChart(ChartCard):
    """Weekday rows (Monday on top) by 24 hour columns; darker cells hold more breaches."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.heat: BreachHeat | None = None
        super().__init__(tr("Breaches by weekday and hour"), "", parent)
        self.plot.getPlotItem().getViewBox().invertY(True)
        self.plot.getPlotItem().showGrid(x=False, y=False)

    def set_heat(self, heat: BreachHeat) -> None:
        self.heat = heat
        self.subtitle.setText(
            tr("Missed and breached clocks by when they started, {zone}; darker: more.").format(
                zone=zone_words(heat.zone)
            )
        )
        self.draw()

    def draw(self) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        heat, theme = self.heat, self.theme
        if heat is None:
            return
        top = max(int(heat.breaches.max()), 1)
        image = np.zeros((24, 7, 4), dtype=np.ubyte)  # pyqtgraph images are (x, y)
        for day in range(7):
            for hour in range(24):
                colour = theme.heat(math.sqrt(heat.breaches[day, hour] / top))
                image[hour, day] = (colour.red(), colour.green(), colour.blue(), 255)
        picture = pg.ImageItem(image)
        picture.setRect(QRectF(0, 0, 24, 7))
        item.addItem(picture)
        for day in range(7):  # thin separators between weekdays
            item.addItem(pg.InfiniteLine(day, angle=0, pen=pg.mkPen(theme.background, width=1)))
        days = [(d + 0.5, WEEKDAY_NAMES[d][:3]) for d in range(7)]
        item.getAxis("left").setTicks([days])
        self.reserve_left_labels(name for _, name in days)
        bottom = item.getAxis("bottom")
        bottom.setTicks([[(h + 0.5, f"{h:02d}") for h in range(0, 24, 3)]])
        bottom.setStyle(hideOverlappingLabels=False)  # "00" sits at the edge: keep it
        item.setRange(xRange=(0, 24), yRange=(0, 7), padding=0)

    def hit(self, point: QPointF) -> Any:
        if self.heat is None:
            return None
        hour, day = math.floor(point.x()), math.floor(point.y())
        return day * 24 + hour if 0 <= hour < 24 and 0 <= day < 7 else None

    def tooltip(self, key: Any) -> str:
        if self.heat is None:
            return ""
        day, hour = divmod(int(key), 24)
        clocks, breaches = int(self.heat.clocks[day, hour]), int(self.heat.breaches[day, hour])
        rate = breaches / clocks if clocks else float("nan")
        return (
            f"<b>{WEEKDAY_NAMES[day]} {hour:02d}:00–{hour + 1:02d}:00</b><br>"
            + tr("{breaches} breaches of {clocks} clocks started ({rate})").format(
                breaches=count(breaches), clocks=count(clocks), rate=percent(rate)
            )
            + ("<br>" + tr("<i>Click to list them</i>") if breaches else "")
        )

    def clocks(self, key: Any) -> tuple[str, I64] | None:
        if self.heat is None:
            return None
        day, hour = divmod(int(key), 24)
        caption = tr("Breaches started {day} {start}–{end}").format(
            day=WEEKDAY_NAMES[day], start=f"{hour:02d}:00", end=f"{hour + 1:02d}:00"
        )
        return caption, self.heat.members.of(int(key))
