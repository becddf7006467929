"""A dashboard chart card: title, pyqtgraph plot, hover tooltips, click-through and PNG export."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QCursor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPalette,
    QRegion,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from slaapp.views.common.chart_theme import ChartTheme, theme_for
from slaapp.views.common.i18n import tr

I64 = npt.NDArray[np.int64]
PLOT_HEIGHT = 250
"""Plot height of a chart card (rep charts grow with their reps)."""
EXPORT_SCALE = 2.0
"""Exported pictures are drawn at twice the card's size (sharp on a 2x screen and in slides)."""
EXPORT_MARGIN = 12
EXPORT_GAP = 4
WRAP = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)


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
        self.export_button.setText(tr("Export PNG…"))
        self.export_button.setToolTip(
            tr("Save the “{title}” chart as a PNG picture").format(title=title)
        )
        self.export_button.setAccessibleName(tr("Export the “{title}” chart").format(title=title))
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
            self,
            tr("Export chart as PNG"),
            str(Path.home() / f"{name}.png"),
            tr("PNG pictures (*.png)"),
        )
        if path:
            self.export_png(Path(path))

    def export_png(self, path: Path, scale: float = EXPORT_SCALE) -> bool:
        """Save the chart as a PNG at `scale` x (see `export_image`); False when it cannot be
        written."""
        return bool(self.export_image(scale).save(str(path), "PNG"))

    def export_widgets(self) -> list[QWidget]:
        """What a picture of the chart shows under its header: the plot (and a legend)."""
        return [self.plot]

    def export_lines(self) -> list[str]:
        """The header of a picture: the title, what the chart shows, then `export_context`
        (the period, the filters and when the clocks were judged), one line each."""
        return [self.title.text(), self.subtitle.text(), *self.export_context.splitlines()]

    def export_size(self) -> QSize:
        """The picture's logical size: the card's width, the header's and the plot's height."""
        return QSize(self.width(), self._header_height() + self._parts_height())

    def _header_height(self) -> int:
        inner = self.width() - 2 * EXPORT_MARGIN
        height = EXPORT_MARGIN
        for number, text in enumerate(self.export_lines()):
            if text:
                rect = QFontMetrics(self._export_font(number)).boundingRect(
                    QRect(0, 0, inner, 10_000), WRAP, text
                )
                height += rect.height() + EXPORT_GAP
        return height + EXPORT_GAP

    def _parts_height(self) -> int:
        return sum(w.height() for w in self.export_widgets() if not w.isHidden()) + EXPORT_MARGIN

    def _export_font(self, number: int) -> QFont:
        return self.title.font() if number == 0 else self.font()

    def export_image(self, scale: float = EXPORT_SCALE) -> QImage:
        """The chart drawn at `scale` x its size: a header (title, subtitle, period and filters)
        painted as text, then the plot rendered from the scene. Buttons and pickers never show."""
        size = self.export_size()
        image = QImage(
            round(size.width() * scale),
            round(size.height() * scale),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.setDevicePixelRatio(scale)
        palette = self.palette()
        image.fill(palette.color(QPalette.ColorRole.Base))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        inner = size.width() - 2 * EXPORT_MARGIN
        y = EXPORT_MARGIN
        for number, text in enumerate(self.export_lines()):
            if not text:
                continue
            painter.setFont(self._export_font(number))
            role = QPalette.ColorRole.Text if number != 1 else QPalette.ColorRole.PlaceholderText
            painter.setPen(palette.color(role))
            drawn = painter.drawText(QRect(EXPORT_MARGIN, y, inner, 10_000), WRAP, text)
            y += drawn.height() + EXPORT_GAP
        y = self._header_height()
        for widget in self.export_widgets():
            if widget.isHidden():
                continue
            x = (size.width() - widget.width()) // 2
            if isinstance(widget, QGraphicsView):  # the scene itself: vector-sharp at 2x
                view = widget.viewport().rect()
                widget.render(painter, QRectF(x, y, view.width(), view.height()), view)
            else:
                flags = QWidget.RenderFlag.DrawChildren  # on the picture's own background
                QWidget.render(widget, painter, QPoint(x, y), QRegion(), flags)
            y += widget.height()
        painter.end()
        return image

    def reserve_left_labels(self, labels: Iterable[str]) -> None:
        """Make the left axis as wide as its widest label now: pyqtgraph would otherwise
        widen it only after a first paint without them (and an early export lacks them)."""
        metrics = QFontMetrics(self.plot.font())
        widest = max((metrics.horizontalAdvance(text) for text in labels), default=0)
        item = self.plot.getPlotItem()
        axis = item.getAxis("left")
        axis.textWidth = max(axis.textWidth, widest + 2)  # what a first paint would measure
        axis.setWidth(None)  # sized from that text now
        item.layout.invalidate()  # and laid out now: a posted request may wait for a resize
        item.layout.activate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A wheel turned over the plot scrolls the page the card sits in."""
        if event.type() == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
            parent = self.parentWidget()
            while parent is not None and not isinstance(parent, QScrollArea):
                parent = parent.parentWidget()
            if parent is not None:
                bar = parent.verticalScrollBar()
                pixels = event.pixelDelta().y()  # a touchpad's own distance, else the notches
                bar.setValue(bar.value() - (pixels or event.angleDelta().y()))
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
