"""Toasts through org.freedesktop.Notifications with jeepney: the Linux default backend.

jeepney is pure Python (already installed with keyring on Linux); a QSocketNotifier watches its
socket, so replies and ActionInvoked / NotificationClosed arrive on the GUI thread through Qt's
own event loop: no asyncio loop beside Qt and no thread (desktop-notifier, notifier.py, needs a
qasync loop). QtDBus was tried first: PySide6 marshals every Python int as int32, so Notify goes
out as (sisssasa{sv}i) instead of (susssasa{sv}i) and strict servers (GDBus, GNOME Shell)
reject it.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal

from slaapp.notify.channel import Notice
from slaapp.views.toasts.banner import ACTIONS, toast_lines

try:  # jeepney comes with keyring on Linux; elsewhere toasts use desktop-notifier
    from jeepney import (
        DBusAddress,
        DBusErrorResponse,
        HeaderFields,
        MatchRule,
        MessageType,
        new_method_call,
    )
    from jeepney.io.blocking import open_dbus_connection

    HAVE_JEEPNEY = True
except ImportError:
    HAVE_JEEPNEY = False

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
APP_NAME = "slaapp"
URGENT = frozenset({"breach", "escalation", "pattern"})


class DbusNotifications(QObject):
    """A connection to the desktop's notification server.

    Signals: action(tuple, str) for a button of one of our toasts ("default" is reported as
    "open"); failed(object) with a Notice the server did not take; lost() when the bus closed.
    """

    action = Signal(tuple, str)
    failed = Signal(object)
    lost = Signal()

    def __init__(self, connection: Any, capabilities: tuple[str, ...]) -> None:
        super().__init__()
        self.connection = connection
        self.capabilities = capabilities
        self.address = DBusAddress(OBJECT_PATH, BUS_NAME, BUS_NAME)
        self.pending: dict[int, Notice] = {}
        """Notify calls awaiting their reply, by serial."""
        self.shown: dict[int, tuple[int, ...]] = {}
        """Toasts on screen: notification id -> alert ids."""
        self._notifier = QSocketNotifier(connection.sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    @classmethod
    def open(cls, bus: str | None = None, timeout: float = 1.0) -> DbusNotifications | None:
        """Connect to the session bus (or `bus`); None when no server offers action buttons."""
        if not HAVE_JEEPNEY:
            return None
        address = bus or os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        if not address:
            return None
        try:
            connection = open_dbus_connection(bus=address, auth_timeout=timeout)
        except (OSError, ValueError, RuntimeError) as exc:
            log.info("no D-Bus session bus for toasts (%s)", exc)
            return None
        try:
            target = DBusAddress(OBJECT_PATH, BUS_NAME, BUS_NAME)
            reply = connection.send_and_get_reply(
                new_method_call(target, "GetCapabilities"), timeout=timeout
            )
            if reply.header.message_type == MessageType.error:
                raise LookupError(f"no notification server: {reply.body}")
            capabilities = tuple(reply.body[0])
            if "actions" not in capabilities:
                raise LookupError(f"the notification server offers no buttons: {capabilities}")
            for member in ("ActionInvoked", "NotificationClosed"):
                rule = MatchRule(type="signal", interface=BUS_NAME, member=member, path=OBJECT_PATH)
                connection.bus_proxy.AddMatch(rule, _timeout=timeout)
        except (OSError, LookupError, DBusErrorResponse) as exc:
            log.info("no D-Bus notifications with buttons (%s)", exc)
            connection.close()
            return None
        notifications = cls(connection, capabilities)
        notifications._drain()  # messages read while waiting for the replies above
        return notifications

    def show(self, notice: Notice) -> None:
        body = "\n".join(toast_lines(notice))
        if "body-markup" in self.capabilities:
            body = html.escape(body, quote=False)
        actions = ["default", "Open"] + [part for pair in ACTIONS for part in pair]
        hints = {
            "urgency": ("y", 2 if notice.severity in URGENT else 1),
            "category": ("s", "x-slaapp.alert"),
            "desktop-entry": ("s", APP_NAME),
        }
        args = (APP_NAME, 0, "dialog-warning", notice.title, body)
        message = new_method_call(
            self.address, "Notify", "susssasa{sv}i", (*args, actions, hints, -1)
        )
        serial = next(self.connection.outgoing_serial)
        try:
            self.connection.send(message, serial=serial)
        except OSError:
            self._close()
            self.failed.emit(notice)
            return
        self.pending[serial] = notice

    def _drain(self) -> None:
        while True:
            try:
                message = self.connection.receive(timeout=0)
            except TimeoutError:
                return
            except (OSError, ValueError):
                self._close()
                return
            header = message.header
            reply_to = header.fields.get(HeaderFields.reply_serial)
            if reply_to in self.pending:
                notice = self.pending.pop(reply_to)
                if header.message_type == MessageType.method_return:
                    self.shown[int(message.body[0])] = notice.alert_ids
                else:
                    log.warning("the notification server refused a toast: %s", message.body)
                    self.failed.emit(notice)
            elif header.message_type == MessageType.signal:
                self._signal(str(header.fields.get(HeaderFields.member)), message.body)

    def _signal(self, member: str, body: tuple[Any, ...]) -> None:
        if member == "ActionInvoked" and body and body[0] in self.shown:
            key = "open" if body[1] == "default" else str(body[1])
            self.action.emit(self.shown[body[0]], key)
        elif member == "NotificationClosed" and body:
            self.shown.pop(body[0], None)

    def _close(self) -> None:
        self._notifier.setEnabled(False)
        with contextlib.suppress(OSError):
            self.connection.close()
        unshown = list(self.pending.values())
        self.pending.clear()
        self.lost.emit()
        for notice in unshown:
            self.failed.emit(notice)

    def close(self) -> None:
        self._notifier.setEnabled(False)
        with contextlib.suppress(OSError):
            self.connection.close()
