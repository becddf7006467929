"""A dashboard chart card: title, pyqtgraph plot, hover tooltips, click-through and PNG export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, Qt, Signal
from PySide6.QtGui import QCursor, QFont, QImage, QPainter, QPalette, QWheelEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from slaapp.views.common.chart_theme import ChartTheme, theme_for

I64 = npt.NDArray[np.int64]
PLOT_HEIGHT = 250
"""Plot height of a chart card (rep charts grow with their reps)."""


class ChartCard(QFrame):
    """A titled chart. Signals: picked(str, object): a caption and the clock indices behind a click.

    Subclasses draw in `draw()`, say which group lies under a point in `hit()`, describe it in
    `tooltip()` and list its clocks in `clocks()`.
    """

    picked = Signal(str, object)

    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(title)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)  # a long title wraps instead of widening the page
        self.setAccessibleName(title)
        self.subtitle = QLabel(subtitle)
        self.subtitle.setWordWrap(True)
        self.subtitle.setEnabled(False)  # muted in both palettes
        self.export_button = QToolButton()
        self.export_button.setText("Export PNG…")
        self.export_button.setToolTip(f"Save the “{title}” chart as a PNG picture")
        self.export_button.setAutoRaise(True)
        self.export_button.clicked.connect(self.choose_export)
        self.export_context = ""  # the period and filters, written under an exported picture
        self.header = QHBoxLayout()
        self.header.addWidget(self.title, 1)
        self.header.addStretch(0)  # subclasses insert their pickers after it
        self.header.addWidget(self.export_button)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setFixedHeight(PLOT_HEIGHT)
        self.plot.getPlotItem().getViewBox().setDefaultPadding(0.02)
        self.plot.viewport().installEventFilter(self)  # the wheel scrolls the page, not the plot
        scene = self.plot.scene()
        scene.sigMouseMoved.connect(self._hover)
        scene.sigMouseClicked.connect(self._click)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(12, 10, 12, 10)
        self.body.addLayout(self.header)
        self.body.addWidget(self.subtitle)
        self.body.addWidget(self.plot, 1)
        self.theme = theme_for(self)
        self._apply_theme()

    # ----- for subclasses ----------------------------------------------------------------
    def draw(self) -> None:
        """Redraw from the data already set (after new data or a palette change)."""

    def hit(self, point: QPointF) -> Any:
        """The group under a point in data coordinates, or None."""
        return None

    def tooltip(self, key: Any) -> str:
        return ""

    def clocks(self, key: Any) -> tuple[str, I64] | None:
        """A caption and the indices of the clocks behind a group."""
        return None

    # ----- behaviour -----------------------------------------------------------------------
    def data_point(self, scene_pos: QPointF) -> QPointF:
        return self.plot.getPlotItem().getViewBox().mapSceneToView(scene_pos)

    def _hover(self, scene_pos: QPointF) -> None:
        key = self.hit(self.data_point(scene_pos))
        text = self.tooltip(key) if key is not None else ""
        if text:
            QToolTip.showText(QCursor.pos(), text, self.plot)
        else:
            QToolTip.hideText()
        self.plot.setCursor(
            Qt.CursorShape.PointingHandCursor if text else Qt.CursorShape.ArrowCursor
        )

    def _click(self, event: Any) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self.pick(self.hit(self.data_point(event.scenePos())))

    def pick(self, key: Any) -> None:
        """List the clocks behind a group (as a click on it does)."""
        if key is None:
            return
        found = self.clocks(key)
        if found is not None:
            self.picked.emit(found[0], found[1])

    def choose_export(self) -> None:
        name = self.title.text().lower().replace(" ", "-").replace("/", "-")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export chart as PNG", str(Path.home() / f"{name}.png"), "PNG pictures (*.png)"
        )
        if path:
            self.export_png(Path(path))

    def export_png(self, path: Path, scale: float = 2.0) -> bool:
        """Save the card at `scale` x its size as a PNG, without its buttons and with
        `export_context` (the period and filters) under it; False when it cannot be written."""
        return bool(self.export_image(scale).save(str(path), "PNG"))

    def export_image(self, scale: float = 2.0) -> QImage:
        caption = self.export_context
        extra = self.fontMetrics().height() + 12 if caption else 0
        width, height = self.width(), self.height()
        image = QImage(
            round(width * scale), round((height + extra) * scale), QImage.Format.Format_ARGB32
        )
        image.setDevicePixelRatio(scale)
        image.fill(self.palette().color(QPalette.ColorRole.Window))
        shown = self.export_button.isVisible()
        self.export_button.hide()  # a picture has no buttons
        try:
            painter = QPainter(image)
            self.render(painter, QPoint(0, 0))
            if caption:
                painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
                text = self.fontMetrics().elidedText(
                    caption, Qt.TextElideMode.ElideRight, width - 24
                )
                flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                painter.drawText(QRect(12, height, width - 24, extra), flags, text)
            painter.end()
        finally:
            self.export_button.setVisible(shown)
        return image

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A wheel turned over the plot scrolls the page the card sits in."""
        if event.type() == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
            parent = self.parentWidget()
            while parent is not None and not isinstance(parent, QScrollArea):
                parent = parent.parentWidget()
            if parent is not None:
                bar = parent.verticalScrollBar()
                bar.setValue(bar.value() - event.angleDelta().y())
                return True
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.theme = theme_for(self)
            self._apply_theme()
            self.draw()

    def _apply_theme(self) -> None:
        theme: ChartTheme = self.theme
        self.plot.setBackground(theme.background)
        item = self.plot.getPlotItem()
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(theme.muted))
            axis.setTextPen(pg.mkPen(theme.foreground))
        item.showGrid(x=False, y=True, alpha=0.25 if theme.dark else 0.15)
