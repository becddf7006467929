"""In-window toasts at the window's bottom-right corner, with Open / Snooze 15 min / Acknowledge."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from slaapp.notify.channel import Notice
from slaapp.notify.render import SEVERITY_COLORS, items, label

ACTIONS = (("open", "Open"), ("snooze", "Snooze 15 min"), ("acknowledge", "Acknowledge"))
"""Action keys (what the app receives) and button labels, shared with the D-Bus toasts."""
MAX_VISIBLE = 4
MARGIN = 16
WIDTH = 380


def toast_lines(notice: Notice) -> tuple[str, ...]:
    """The body lines of a toast: a digest's alerts as bullets; the link is the Open button."""
    if notice.severity == "digest":
        return tuple(f"• {item}" for item in items(notice))
    return tuple(line for line in notice.lines if not notice.link or notice.link not in line)


class ToastBanner(QFrame):
    """One toast. Signals: chosen(str) with an action key, or "" when closed with the cross."""

    chosen = Signal(str)

    def __init__(self, notice: Notice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice = notice
        color = SEVERITY_COLORS.get(notice.severity, "#455a64")
        self.setObjectName("toastBanner")
        self.setFixedWidth(WIDTH)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            f"#toastBanner {{ background: palette(base); border: 1px solid palette(mid);"
            f" border-left: 5px solid {color}; border-radius: 6px; }}"
            f" #toastKind {{ color: {color}; font-weight: 700; }}"
            " #toastTitle { font-weight: 600; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 10, 12)
        layout.setSpacing(6)
        top = QHBoxLayout()
        kind = QLabel(label(self.notice).upper())
        kind.setObjectName("toastKind")
        top.addWidget(kind)
        top.addStretch(1)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss this toast (the alert stays in the Alerts screen)")
        close.clicked.connect(lambda: self.chosen.emit(""))
        top.addWidget(close)
        layout.addLayout(top)
        title = QLabel(notice.title)
        title.setObjectName("toastTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        body = QLabel("\n".join(toast_lines(notice)))
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(body)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        tips = {
            "open": "Open the record",
            "snooze": "Remind me again in 15 minutes",
            "acknowledge": "I'm on it: stop reminders for this step",
        }
        for key, text in ACTIONS:
            button = QPushButton(text)
            button.setToolTip(tips[key])
            button.clicked.connect(lambda _=False, key=key: self.chosen.emit(key))
            buttons.addWidget(button)
            self.buttons[key] = button
        self.buttons["open"].setDefault(True)
        layout.addLayout(buttons)
        self._fit(layout, (title, body))

    def _fit(self, layout: QVBoxLayout, labels: tuple[QLabel, ...]) -> None:
        """Wrapped labels as tall as their text at the toast's fixed width (a floating widget
        gets no height-for-width pass from a parent layout)."""
        self.ensurePolished()
        frame, inside = self.contentsMargins(), layout.contentsMargins()
        width = WIDTH - frame.left() - frame.right() - inside.left() - inside.right()
        for text in labels:
            text.ensurePolished()
            text.setFixedHeight(text.heightForWidth(width))
            policy = text.sizePolicy()
            policy.setHeightForWidth(False)  # the fixed height above stands
            text.setSizePolicy(policy)


class ToastStack(QWidget):
    """Stacks toasts over a window's corner, newest at the bottom, and follows its resizes.

    Signals: action(tuple, str): the alert ids of a toast and the chosen action key.
    """

    action = Signal(tuple, str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.banners: list[ToastBanner] = []
        window.installEventFilter(self)
        self.hide()

    def add(self, notice: Notice) -> ToastBanner:
        banner = ToastBanner(notice, self)
        banner.chosen.connect(lambda key, banner=banner: self._chosen(banner, key))
        self.banners.append(banner)
        self._layout.addWidget(banner)
        banner.show()  # now, not at the next event: hidden widgets do not count in the size
        while len(self.banners) > MAX_VISIBLE:  # the oldest leave; the Alerts screen keeps them
            self._remove(self.banners[0])
        self.show()
        self._place()
        self.raise_()
        return banner

    def _chosen(self, banner: ToastBanner, key: str) -> None:
        self._remove(banner)
        if key:
            self.action.emit(banner.notice.alert_ids, key)

    def _remove(self, banner: ToastBanner) -> None:
        self.banners.remove(banner)
        self._layout.removeWidget(banner)
        banner.hide()
        banner.deleteLater()
        if self.banners:
            self._place()
        else:
            self.hide()

    def _place(self) -> None:
        self._layout.activate()
        self.resize(WIDTH, self.sizeHint().height())
        window = self.parentWidget()
        if window is not None:
            self.move(
                max(0, window.width() - self.width() - MARGIN),
                max(0, window.height() - self.height() - MARGIN),
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.banners:
            self._place()
        return False
