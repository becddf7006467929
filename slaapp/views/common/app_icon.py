"""The app's icon, drawn in code (a clock face on the brand blue), for windows and the tray."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#2f6fdb"))
        painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
        pen = QPen(QColor("white"), max(1.5, size * 0.08))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        centre = QPointF(size / 2, size / 2)
        painter.drawEllipse(centre, size * 0.30, size * 0.30)
        painter.drawLine(centre, QPointF(size / 2, size * 0.30))
        painter.drawLine(centre, QPointF(size * 0.66, size / 2))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
