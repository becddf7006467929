"""Every text role of both palettes reads at 4.5:1 or better (WCAG AA), muted text included."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QStyleFactory

from slaapp.views.common.theme import contrast, dark_palette, light_palette

R = QPalette.ColorRole
G = QPalette.ColorGroup
PAIRS = [
    (G.Active, R.WindowText, R.Window),
    (G.Active, R.Text, R.Base),
    (G.Active, R.Text, R.AlternateBase),
    (G.Active, R.ButtonText, R.Button),
    (G.Active, R.PlaceholderText, R.Base),
    (G.Active, R.ToolTipText, R.ToolTipBase),
    (G.Active, R.HighlightedText, R.Highlight),
    (G.Disabled, R.WindowText, R.Window),
    (G.Disabled, R.Text, R.Base),
]


def test_contrast_is_the_wcag_ratio() -> None:
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21)
    assert contrast(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_text_roles_read_at_4_5_to_1(qapp, name: str) -> None:
    fusion = QStyleFactory.create("Fusion")
    palette = dark_palette() if name == "dark" else light_palette(fusion.standardPalette())
    for group, text, background in PAIRS:
        ratio = contrast(palette.color(group, text), palette.color(group, background))
        assert ratio >= 4.5, (name, group, text, background, round(ratio, 2))


def test_switching_to_dark_repaints_widgets_with_style_sheets(qapp, qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

    from slaapp.views.common.page_header import page_header
    from slaapp.views.common.theme import apply_theme

    window = QWidget()
    qtbot.addWidget(window)
    header = page_header("Live handoffs", "Every open handoff")
    navigation = QListWidget()
    navigation.setStyleSheet("QListWidget { border: none; font-size: 14px; }")
    layout = QVBoxLayout(window)
    layout.addWidget(header)
    layout.addWidget(navigation)
    window.show()
    hints = qapp.styleHints()
    try:
        apply_theme(qapp)
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        title = header.findChildren(QLabel)[0]
        assert title.palette().color(QPalette.ColorRole.WindowText).lightness() > 200
        assert navigation.palette().color(QPalette.ColorRole.Base).lightness() < 60
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert title.palette().color(QPalette.ColorRole.WindowText).lightness() < 60
    finally:
        hints.colorSchemeChanged.disconnect()
        qapp.setPalette(qapp.style().standardPalette())
