"""Chart colours for the light and dark palettes, and the number formats every chart shares."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

from slaapp.engine.durations import HOURS_ONLY, describe_duration

SERIES_LIGHT = (
    "#2f6fdf",
    "#e07b00",
    "#2e9d5b",
    "#9b51e0",
    "#d64541",
    "#00a3a3",
    "#8a6d3b",
    "#c2185b",
)
SERIES_DARK = (
    "#6ea8ff",
    "#ffa64d",
    "#5fd38d",
    "#c28bff",
    "#ff7b76",
    "#3fd6d6",
    "#d9b26f",
    "#ff6fa8",
)


@dataclass(frozen=True)
class ChartTheme:
    """Colours of one palette: background, text, grid, good/bad/goal and the series."""

    dark: bool
    background: QColor
    foreground: QColor
    muted: QColor
    grid: QColor
    good: QColor
    bad: QColor
    goal: QColor
    reference: QColor
    series: tuple[QColor, ...]

    def heat(self, share: float) -> QColor:
        """From the background (no breaches) to the bad colour (the most)."""
        share = 0.0 if math.isnan(share) else min(max(share, 0.0), 1.0)
        low, high = self.background, self.bad
        return QColor(
            round(low.red() + (high.red() - low.red()) * share),
            round(low.green() + (high.green() - low.green()) * share),
            round(low.blue() + (high.blue() - low.blue()) * share),
        )


def is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def theme_for(widget: QWidget) -> ChartTheme:
    """The chart colours that suit the widget's current palette."""
    dark = is_dark(widget)
    palette = widget.palette()
    return ChartTheme(
        dark=dark,
        background=palette.color(QPalette.ColorRole.Base),
        foreground=palette.color(QPalette.ColorRole.Text),
        muted=palette.color(QPalette.ColorRole.PlaceholderText),
        grid=QColor(255, 255, 255, 40) if dark else QColor(0, 0, 0, 30),
        good=QColor("#5fd38d" if dark else "#2e9d5b"),
        bad=QColor("#ff7b76" if dark else "#d64541"),
        goal=QColor("#ffd166" if dark else "#b07d00"),
        reference=palette.color(QPalette.ColorRole.Text),
        series=tuple(QColor(c) for c in (SERIES_DARK if dark else SERIES_LIGHT)),
    )


def percent(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1%}"


def duration(seconds: float) -> str:
    """Business time as people say it: `1 h 30 min`; — when unknown."""
    return "—" if math.isnan(seconds) else describe_duration(round(seconds), HOURS_ONLY)


def count(value: int) -> str:
    return f"{int(value):,}"
