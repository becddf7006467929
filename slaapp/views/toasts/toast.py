"""Desktop toasts with Open / Snooze 15 min / Acknowledge: a native backend, the tray, or in-window.

Native backends (choice.py): the hand-written D-Bus client on Linux (dbus.py) and
desktop-notifier on macOS and Windows (notifier.py, on the qasync loop of event_loop.py).
Both show the same three buttons, emit the same signals and fall back the same way: a toast
the backend could not show goes to the tray's message (no buttons; a click opens), else to the
in-window toast (banner.py) with the same buttons.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from slaapp.notify.channel import Notice
from slaapp.views.toasts.banner import ToastStack, toast_lines
from slaapp.views.toasts.choice import DBUS, NOTIFIER, native_backend
from slaapp.views.toasts.dbus import URGENT, DbusNotifications
from slaapp.views.toasts.notifier import NotifierToasts
from slaapp.views.toasts.permission import explain_permission

__all__ = ["DbusNotifications", "DesktopToaster", "NotifierToasts", "has_tray", "pick"]

log = logging.getLogger(__name__)

Native = DbusNotifications | NotifierToasts


def has_tray(tray: QSystemTrayIcon | None) -> bool:
    return tray is not None and QSystemTrayIcon.isSystemTrayAvailable() and tray.isVisible()


def pick(
    tray: QSystemTrayIcon | None, bus: str | None = None, backend: str | None = None
) -> Native | str:
    """The best backend here: native toasts with buttons, else the tray's message, else in-window.

    `backend` ("dbus" or "notifier") overrides $SLAAPP_TOASTS and the platform's default.
    """
    native: Native | None = None
    if native_backend(backend) == NOTIFIER:
        native = NotifierToasts.open()  # None without a qasync loop: then D-Bus, if any
    if native is None:
        native = DbusNotifications.open(bus)
    if native is not None:
        return native
    return "tray" if has_tray(tray) else "window"


class DesktopToaster(QObject):
    """The `desktop` alert channel: shows toasts and reports the buttons people press.

    Signals: action(tuple, str): alert ids and "open", "snooze" or "acknowledge".
    `send` may be called from any thread (the alert service's worker); `show` on the GUI thread.
    `backend` says where toasts go now: "dbus", "notifier", "tray" or "window".
    """

    name = "desktop"
    action = Signal(tuple, str)
    _requested = Signal(object)

    def __init__(
        self,
        window: QWidget,
        tray: QSystemTrayIcon | None = None,
        bus: str | None = None,
        backend: str | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.tray = tray
        self.stack = ToastStack(window)
        self.stack.action.connect(self.action)
        self._tray_alerts: tuple[int, ...] = ()
        if tray is not None:
            tray.messageClicked.connect(self._tray_clicked)
        self._requested.connect(self.show, Qt.ConnectionType.QueuedConnection)
        self.native: Native | None = None
        self.dbus: DbusNotifications | None = None
        chosen = pick(tray, bus, backend)
        if isinstance(chosen, str):
            self.backend = chosen
            return
        self.native = chosen
        self.backend = DBUS if isinstance(chosen, DbusNotifications) else NOTIFIER
        if isinstance(chosen, DbusNotifications):
            self.dbus = chosen
        else:
            chosen.permission_needed.connect(self._explain_permission)
        chosen.setParent(self)
        chosen.action.connect(self.action)
        chosen.failed.connect(self._fallback)
        chosen.lost.connect(self._lost)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)

    def send(self, notice: Notice) -> None:
        """Channel protocol: queue the toast for the GUI thread (never raises)."""
        self._requested.emit(notice)

    def show(self, notice: Notice) -> None:
        if self.native is not None and self.backend in (DBUS, NOTIFIER):
            self.native.show(notice)
        else:
            self._fallback(notice)

    def _fallback(self, notice: Notice) -> None:
        tray = self.tray
        if tray is not None and has_tray(tray):
            self._tray_alerts = notice.alert_ids
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if notice.severity in URGENT
                else QSystemTrayIcon.MessageIcon.Warning
            )
            text = "\n".join(toast_lines(notice))
            tray.showMessage(notice.title[:64], text[:256], icon, 15000)
        else:
            self.stack.add(notice)

    def _tray_clicked(self) -> None:  # the tray has no buttons: a click opens the record
        if self._tray_alerts:
            self.action.emit(self._tray_alerts, "open")

    def _explain_permission(self) -> None:
        if isinstance(self.native, NotifierToasts):
            self.permission_box = explain_permission(self.window, self.native.permission_explained)

    def _lost(self) -> None:
        lost = self.backend
        self.backend = "tray" if has_tray(self.tray) else "window"
        log.warning("%s toasts are not available; toasts now show in the %s", lost, self.backend)

    def close(self) -> None:
        if self.native is not None:
            self.native.close()
