"""Painting for the live table: the % elapsed column as a bar coloured by status."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from slaapp.views.live.clock_model import STATUS_COLOURS, ClockTableModel

Index = QModelIndex | QPersistentModelIndex


class ElapsedBarDelegate(QStyledItemDelegate):
    """Draws a thin bar (capped at 100 %) under the percentage text."""

    def __init__(self, model: ClockTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)
        row = index.row()
        if not 0 <= row < self.model.rowCount():
            return
        i = self.model.clock_index(row)
        share = max(0.0, min(1.0, self.model.live_share(i)))
        rect: QRect = option.rect  # type: ignore[attr-defined]
        bar = QRect(rect.x() + 4, rect.bottom() - 5, int((rect.width() - 8) * share), 3)
        painter.save()
        colour = STATUS_COLOURS[self.model.live_status(i)]
        if option.state & QStyle.StateFlag.State_Selected:  # type: ignore[attr-defined]
            colour = colour.lighter(150)
        painter.fillRect(bar, colour)
        painter.restore()
