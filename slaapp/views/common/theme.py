"""Follow the operating system's light or dark colour scheme with the Fusion style."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_DARK = {
    QPalette.ColorRole.Window: "#202327",
    QPalette.ColorRole.WindowText: "#e6e8eb",
    QPalette.ColorRole.Base: "#17191c",
    QPalette.ColorRole.AlternateBase: "#1e2125",
    QPalette.ColorRole.ToolTipBase: "#2b2f34",
    QPalette.ColorRole.ToolTipText: "#e6e8eb",
    QPalette.ColorRole.Text: "#e6e8eb",
    QPalette.ColorRole.Button: "#2b2f34",
    QPalette.ColorRole.ButtonText: "#e6e8eb",
    QPalette.ColorRole.Highlight: "#3d7bd9",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6aa5ff",
    QPalette.ColorRole.PlaceholderText: "#8a9099",
    QPalette.ColorRole.Mid: "#3a3f45",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    muted = QColor("#7d838b")
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, muted)
    return palette


def apply_theme(app: QApplication) -> None:
    """Fusion everywhere; a dark palette while the system asks for dark, re-applied on change."""
    app.setStyle("Fusion")

    def follow(scheme: Qt.ColorScheme) -> None:
        style = app.style()
        app.setPalette(dark_palette() if scheme == Qt.ColorScheme.Dark else style.standardPalette())

    hints = app.styleHints()
    follow(hints.colorScheme())
    hints.colorSchemeChanged.connect(follow)
