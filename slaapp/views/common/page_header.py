"""The title and one-line purpose shown at the top of every screen."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def page_header(title: str, subtitle: str) -> QWidget:
    header = QWidget()
    layout = QVBoxLayout(header)
    layout.setContentsMargins(0, 0, 0, 4)
    layout.setSpacing(0)
    heading = QLabel(title)
    heading.setStyleSheet("font-size: 20px; font-weight: 600;")
    purpose = QLabel(subtitle)
    # The window text colour: palette(mid) grey read at 1.7:1 contrast (WCAG asks 4.5:1).
    purpose.setStyleSheet("font-size: 13px;")
    purpose.setWordWrap(True)
    heading.setAccessibleName(title)
    layout.addWidget(heading)
    layout.addWidget(purpose)
    return header
