"""The app follows the system colour scheme: a dark palette while it is dark, light again after."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from slaapp.views.common.app_icon import app_icon
from slaapp.views.common.theme import apply_theme


def test_palette_follows_the_colour_scheme(qapp):
    hints = qapp.styleHints()
    try:
        apply_theme(qapp)
        # The offscreen platform has no system scheme to switch, so say what the OS would say.
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        window = qapp.palette().color(QPalette.ColorRole.Window)
        text = qapp.palette().color(QPalette.ColorRole.WindowText)
        assert window.lightness() < 60 and text.lightness() > 200
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 200
    finally:
        hints.colorSchemeChanged.disconnect()
        qapp.setPalette(qapp.style().standardPalette())


def test_app_icon_has_every_size_a_desktop_asks_for(qapp):
    sizes = {(s.width(), s.height()) for s in app_icon().availableSizes()}
    assert {(16, 16), (32, 32), (256, 256)} <= sizes
