"""Toasts through desktop-notifier: WinRT toasts on Windows, UNUserNotificationCenter on macOS.

The same Open / Snooze 15 min / Acknowledge buttons and signals as the D-Bus backend
(dbus.py), so `DesktopToaster` treats both alike. desktop-notifier is asyncio-only: its
coroutines run on the qasync loop of event_loop.py, i.e. on the GUI thread, and its callbacks
(a button pressed, the toast clicked or dismissed) arrive there too. On Linux it speaks
org.freedesktop.Notifications through dbus-fast; that is how its tests run here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import uuid
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from slaapp.notify.channel import Notice
from slaapp.views.toasts.banner import ACTIONS, toast_lines
from slaapp.views.toasts.event_loop import current

try:
    from desktop_notifier import Button, Capability, DesktopNotifier, Icon, Notification, Urgency

    HAVE_DESKTOP_NOTIFIER = True
except ImportError:  # an install without it: the D-Bus backend, the tray or the window
    HAVE_DESKTOP_NOTIFIER = False

log = logging.getLogger(__name__)

APP_NAME = "slaapp"
"""Linux: the desktop entry; Windows: the AppUserModelId registered under HKCU; macOS uses the
bundle id of the signed .app instead."""
URGENT = frozenset({"breach", "escalation", "pattern"})


def asks_permission() -> bool:
    """macOS asks the user once whether an app may notify; slaapp explains it first."""
    return sys.platform == "darwin"


class NotifierToasts(QObject):
    """desktop-notifier behind the toast backend interface.

    Signals: action(tuple, str) with the alert ids and "open", "snooze" or "acknowledge";
    failed(object) with a Notice that was not shown; lost() when this backend cannot show
    buttons here at all (no server, no buttons, permission refused); permission_needed() before
    macOS asks for the permission, answered with `permission_explained()`.
    """

    action = Signal(tuple, str)
    failed = Signal(object)
    lost = Signal()
    permission_needed = Signal()

    def __init__(self, loop: asyncio.AbstractEventLoop, explain_permission: bool) -> None:
        super().__init__()
        self.loop = loop
        self.explain_permission = explain_permission
        self.notifier = DesktopNotifier(app_name=APP_NAME, app_icon=None)
        self.shown: dict[str, tuple[int, ...]] = {}
        """Toasts on screen: desktop-notifier's identifier -> alert ids."""
        self.usable = True
        self._tasks: set[asyncio.Task[Any]] = set()
        self._leaving: asyncio.Task[None] | None = None
        self._explained: asyncio.Future[None] = loop.create_future()
        # Probe at once: a server without buttons is known before the first alert.
        self._ready = self._start(self._prepare())

    @classmethod
    def open(cls, explain_permission: bool | None = None) -> NotifierToasts | None:
        """The backend on the installed qasync loop; None without desktop-notifier or a loop."""
        loop = current()
        if not HAVE_DESKTOP_NOTIFIER or loop is None:
            log.info("desktop-notifier toasts need the package and a qasync loop; not using them")
            return None
        explain = asks_permission() if explain_permission is None else explain_permission
        try:
            return cls(loop, explain)
        except Exception as exc:  # e.g. Windows without a toast notifier for this user
            log.warning("desktop-notifier cannot start here (%s)", exc)
            return None

    def _start(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = self.loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _prepare(self) -> bool:
        """Buttons supported and notifications allowed; else `lost` and False."""
        try:
            capabilities = await self.notifier.get_capabilities()
            if Capability.BUTTONS not in capabilities:
                raise LookupError(f"no buttons in {sorted(c.name for c in capabilities)}")
            if self.explain_permission and not await self.notifier.has_authorisation():
                self.permission_needed.emit()
                await self._explained
            if not await self.notifier.request_authorisation():
                raise PermissionError("notifications are turned off for slaapp")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # no bus, no server, a refusal: the fallbacks take over
            log.info("no desktop-notifier toasts with buttons (%s)", exc)
            self.usable = False
            self.lost.emit()
            return False
        return True

    def permission_explained(self) -> None:
        """The in-app explanation was read: macOS may ask now."""
        if not self._explained.done():
            self._explained.set_result(None)

    def show(self, notice: Notice) -> None:
        self._start(self._deliver(notice))

    async def _deliver(self, notice: Notice) -> None:
        if not await self._ready:
            self.failed.emit(notice)
            return
        with contextlib.suppress(Exception):  # forget toasts that expired meanwhile
            current_ids = set(await self.notifier.get_current_notifications())
            self.shown = {key: ids for key, ids in self.shown.items() if key in current_ids}
        dispatched: list[str] = []
        notification = self._notification(notice, dispatched)
        try:
            await self.notifier.send_notification(notification)  # logs and returns on failure
        except Exception:  # a bug in a backend: the toast still reaches the person
            log.exception("desktop-notifier failed on a toast")
        if dispatched:
            self.shown[notification.identifier] = notice.alert_ids
        else:
            self.failed.emit(notice)

    def _notification(self, notice: Notice, dispatched: list[str]) -> Notification:
        identifier, ids = str(uuid.uuid4()), notice.alert_ids

        def chosen(key: str) -> Any:
            return lambda: self._chosen(identifier, ids, key)

        buttons = tuple(
            Button(title=title, on_pressed=chosen(key), identifier=key) for key, title in ACTIONS
        )
        return Notification(
            title=notice.title,
            message="\n".join(toast_lines(notice)),
            urgency=Urgency.Critical if notice.severity in URGENT else Urgency.Normal,
            icon=Icon(name="dialog-warning") if sys.platform.startswith("linux") else None,
            buttons=buttons,
            on_dispatched=lambda: dispatched.append(identifier),
            on_clicked=chosen("open"),  # a click on the toast itself opens the record
            on_dismissed=chosen(""),
            identifier=identifier,
        )

    def _chosen(self, identifier: str, ids: tuple[int, ...], key: str) -> None:
        self.shown.pop(identifier, None)
        if key:
            self.action.emit(ids, key)

    def close(self) -> None:
        """Cancel what is pending and leave the bus (desktop-notifier 6.2 has no close())."""
        for task in list(self._tasks):
            task.cancel()
        bus = getattr(self.notifier._backend, "bus", None)  # the D-Bus backend's connection
        if bus is not None and self._leaving is None:
            bus.disconnect()
            self._leaving = self.loop.create_task(self._left(bus))

    @staticmethod
    async def _left(bus: Any) -> None:
        with contextlib.suppress(Exception):  # a connection that broke before is gone as well
            await bus.wait_for_disconnect()

    def closed(self) -> bool:
        """True once the D-Bus connection (if any) is closed."""
        return self._leaving is None or self._leaving.done()
