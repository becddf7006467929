"""Desktop toasts: D-Bus notifications with buttons (python-dbusmock on a private bus), in-window fallback."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QMainWindow

from slaapp.views.toasts.banner import MAX_VISIBLE
from slaapp.views.toasts.choice import native_backend
from slaapp.views.toasts.toast import DesktopToaster

from ..integration.dbus_notifications import notification_daemon, private_bus
from ..integration.test_channel_email import DIGEST
from ..integration.test_channel_http import BREACH

ACTIONS = [
    "default",
    "Open",
    "open",
    "Open",
    "snooze",
    "Snooze 15 min",
    "acknowledge",
    "Acknowledge",
]


@pytest.fixture
def window(qtbot):
    main = QMainWindow()
    main.resize(900, 600)
    qtbot.addWidget(main)
    main.show()
    return main


@pytest.fixture
def bus(monkeypatch):
    with private_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address


@pytest.fixture
def daemon(bus):
    with notification_daemon(bus, "body actions") as mock:
        yield mock


def test_a_dbus_toast_has_three_buttons_and_reports_the_one_pressed(qtbot, window, daemon):
    toaster = DesktopToaster(window)
    assert toaster.backend == "dbus"
    toaster.show(BREACH)
    qtbot.waitUntil(lambda: toaster.dbus.shown != {})
    ((app, replaces, icon, summary, body, actions, hints, timeout),) = daemon.calls("Notify")
    assert daemon.signatures("Notify") == ["susssasa{sv}i"]  # what strict servers demand
    assert (app, replaces, icon, timeout) == ("slaapp", 0, "dialog-warning", -1)
    assert summary == BREACH.title
    assert body.splitlines() == list(BREACH.lines[:-1])  # no markup; the link is the Open button
    assert actions == ACTIONS
    assert hints["urgency"] == ("y", 2)
    (nid,) = toaster.dbus.shown
    with qtbot.waitSignal(toaster.action) as pressed:
        daemon.emit("ActionInvoked", "us", (nid, "snooze"))
    assert pressed.args == [(41, 42), "snooze"]
    with qtbot.waitSignal(toaster.action) as clicked:  # a click on the toast itself opens
        daemon.emit("ActionInvoked", "us", (nid, "default"))
    assert clicked.args == [(41, 42), "open"]
    daemon.emit("NotificationClosed", "uu", (nid, 2))
    qtbot.waitUntil(lambda: toaster.dbus.shown == {})
    assert toaster.stack.banners == []
    toaster.close()


def test_other_apps_toasts_are_ignored_and_digests_are_lists(qtbot, window, daemon):
    toaster = DesktopToaster(window)
    toaster.show(DIGEST)
    qtbot.waitUntil(lambda: toaster.dbus.shown != {})
    (nid,) = toaster.dbus.shown
    body = daemon.calls("Notify")[0][4]
    assert (
        body.splitlines()[0]
        == "• Due soon: MQL to first contact for Harbor & Vine Co. (Ben Carter)"
    )
    with qtbot.waitSignal(toaster.action) as pressed:
        daemon.emit("ActionInvoked", "us", (nid + 100, "acknowledge"))  # not ours
        daemon.emit("ActionInvoked", "us", (nid, "acknowledge"))
    assert pressed.args == [(7, 8, 9), "acknowledge"]
    toaster.close()


def test_a_server_without_buttons_means_in_window_toasts(qtbot, window, bus):
    with notification_daemon(bus, "body body-markup"):
        toaster = DesktopToaster(window)
    assert toaster.backend == "window"  # offscreen has no tray either


def test_when_the_server_goes_away_toasts_move_into_the_window(qtbot, window, daemon):
    toaster = DesktopToaster(window)
    daemon.stop()
    toaster.show(BREACH)  # the bus answers ServiceUnknown: the toast must not be lost
    qtbot.waitUntil(lambda: len(toaster.stack.banners) == 1)
    assert toaster.stack.banners[0].notice == BREACH and toaster.stack.isVisible()
    toaster.close()


def test_without_any_bus_the_in_window_toast_has_the_same_buttons(qtbot, window, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/slaapp-bus")
    toaster = DesktopToaster(window)
    assert toaster.backend == "window"
    sender = threading.Thread(target=toaster.send, args=(BREACH,))  # the alert worker's thread
    sender.start()
    sender.join()
    qtbot.waitUntil(lambda: len(toaster.stack.banners) == 1)
    banner = toaster.stack.banners[0]
    assert [b.text() for b in banner.buttons.values()] == ["Open", "Snooze 15 min", "Acknowledge"]
    stack = toaster.stack
    assert stack.geometry().right() <= window.width() - 16
    assert stack.geometry().bottom() <= window.height() - 16
    assert stack.geometry().right() >= window.width() - 17
    with qtbot.waitSignal(toaster.action) as pressed:
        banner.buttons["acknowledge"].click()
    assert pressed.args == [(41, 42), "acknowledge"]
    assert stack.banners == [] and not stack.isVisible()


def test_in_window_toasts_stack_and_follow_the_window(qtbot, window, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    toaster = DesktopToaster(window)
    for _ in range(MAX_VISIBLE + 2):
        toaster.show(BREACH)
    assert len(toaster.stack.banners) == MAX_VISIBLE
    window.resize(1200, 900)
    qtbot.waitUntil(lambda: toaster.stack.geometry().bottom() >= 900 - 17)
    assert toaster.stack.geometry().right() >= 1200 - 17


def test_linux_keeps_dbus_by_default_and_the_environment_can_choose(monkeypatch):
    monkeypatch.delenv("SLAAPP_TOASTS", raising=False)
    assert native_backend(platform="linux") == "dbus"
    assert native_backend(platform="darwin") == native_backend(platform="win32") == "notifier"
    monkeypatch.setenv("SLAAPP_TOASTS", "notifier")
    assert native_backend(platform="linux") == "notifier"
    assert native_backend("dbus", platform="win32") == "dbus"  # a parameter beats the variable
    monkeypatch.setenv("SLAAPP_TOASTS", "carrier-pigeon")
    assert native_backend(platform="linux") == "dbus"
