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
    QPalette.ColorRole.Highlight: "#2f6bc6",  # white text on it at 5:1
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6aa5ff",
    QPalette.ColorRole.PlaceholderText: "#8a9099",
    QPalette.ColorRole.Mid: "#3a3f45",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    muted = QColor("#9aa0a8")  # 6:1 on the window: muted, yet readable (WCAG asks 4.5:1)
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, muted)
    return palette


def light_palette(standard: QPalette) -> QPalette:
    """Fusion's light palette with muted and placeholder text dark enough to read (4.5:1)."""
    palette = QPalette(standard)
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2b62b5"))  # white text on it at 5.8:1
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    muted = QColor("#5f6368")
    palette.setColor(QPalette.ColorRole.PlaceholderText, muted)
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.PlaceholderText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, muted)
    return palette


def luminance(colour: QColor) -> float:
    """WCAG relative luminance."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def repaint_styled(app: QApplication) -> None:
    """Widgets with a style sheet keep the palette they were polished with: polish them again."""
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)
        widget.update()


def apply_theme(app: QApplication) -> None:
    """Fusion everywhere; a dark palette while the system asks for dark, re-applied on change."""
    app.setStyle("Fusion")

    def follow(scheme: Qt.ColorScheme) -> None:
        style = app.style()
        dark = scheme == Qt.ColorScheme.Dark
        app.setPalette(dark_palette() if dark else light_palette(style.standardPalette()))
        repaint_styled(app)

    hints = app.styleHints()
    follow(hints.colorScheme())
    hints.colorSchemeChanged.connect(follow)
