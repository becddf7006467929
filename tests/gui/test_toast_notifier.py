"""Desktop toasts through desktop-notifier on qasync, against this repo's notification server.

The same scenarios as the D-Bus backend's tests (test_toast.py): each button reaches the app
with the toast's alert ids, closing and expiry, a server without buttons, a server that
disappears, no bus at all; plus the macOS permission note and the app's own qasync loop.
The server (tests/integration/notification_server.py) runs on a private bus.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid

import pytest
from PySide6.QtWidgets import QMainWindow, QMessageBox

pytest.importorskip("desktop_notifier")
pytest.importorskip("qasync")

from slaapp.views.toasts import event_loop, notifier
from slaapp.views.toasts.toast import DesktopToaster, NotifierToasts

from ..integration.dbus_notifications import private_bus
from ..integration.notification_server import EXPIRED, ROOT, notification_server
from ..integration.test_channel_email import DIGEST
from ..integration.test_channel_http import BREACH

ACTIONS = ["default", "", "open", "Open", "snooze", "Snooze 15 min", "acknowledge", "Acknowledge"]


@pytest.fixture
def window(qtbot):
    main = QMainWindow()
    main.resize(900, 600)
    qtbot.addWidget(main)
    main.show()
    return main


@pytest.fixture
def loop(qapp):
    """asyncio on the Qt loop that pytest-qt's waits run, as `slaapp` runs it with qasync."""
    with event_loop.running(qapp) as running:
        yield running


@pytest.fixture
def bus(monkeypatch):
    with private_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address


@pytest.fixture
def server(bus):
    with notification_server(bus) as running:
        yield running


@pytest.fixture
def toasters(qtbot, window, loop):
    """Makes desktop-notifier toasters; each leaves the bus before the loop closes."""
    made: list[DesktopToaster] = []

    def make() -> DesktopToaster:
        toaster = DesktopToaster(window, backend="notifier")
        made.append(toaster)
        return toaster

    yield make
    for toaster in made:
        toaster.close()
        if isinstance(toaster.native, NotifierToasts):
            qtbot.waitUntil(toaster.native.closed)


def _shown(qtbot, toaster: DesktopToaster, server, count: int = 1) -> int:
    """Wait until the server holds `count` toasts and the app knows them; the newest id."""
    qtbot.waitUntil(lambda: len(toaster.native.shown) == count and len(server.calls()) >= count)
    return int(server.calls()[-1]["id"])


def _recorded(toaster: DesktopToaster) -> list[tuple[tuple[int, ...], str]]:
    pressed: list[tuple[tuple[int, ...], str]] = []
    toaster.action.connect(lambda ids, key: pressed.append((ids, key)))
    return pressed


def test_a_notifier_toast_has_three_buttons_and_sends_what_strict_servers_take(
    qtbot, toasters, server
):
    toaster = toasters()
    assert toaster.backend == "notifier" and toaster.dbus is None
    toaster.show(BREACH)
    _shown(qtbot, toaster, server)
    (call,) = server.calls()
    assert (call["app_name"], call["replaces_id"], call["app_icon"]) == (
        "slaapp",
        0,
        "dialog-warning",
    )
    assert call["summary"] == BREACH.title
    assert call["body"].splitlines() == list(BREACH.lines[:-1])  # the link is the Open button
    assert call["actions"] == ACTIONS
    assert call["hints"]["urgency"] == ["y", 2]
    assert call["expire_timeout"] == -1  # the server's own timeout
    assert toaster.stack.banners == []


@pytest.mark.parametrize(
    ("key", "action"),
    [("acknowledge", "acknowledge"), ("snooze", "snooze"), ("open", "open"), ("default", "open")],
)
def test_each_button_reaches_the_app_with_the_toasts_alert_ids(
    qtbot, toasters, server, key, action
):
    toaster = toasters()
    toaster.show(BREACH)
    nid = _shown(qtbot, toaster, server)
    with qtbot.waitSignal(toaster.action) as pressed:
        server.press(nid, key)
    assert pressed.args == [(41, 42), action]
    assert toaster.native.shown == {}  # one answer per toast
    assert toaster.stack.banners == []


def test_other_toasts_are_ignored_and_digests_are_lists(qtbot, toasters, server):
    toaster = toasters()
    pressed = _recorded(toaster)
    toaster.show(DIGEST)
    nid = _shown(qtbot, toaster, server)
    body = server.calls()[0]["body"]
    assert (
        body.splitlines()[0]
        == "• Due soon: MQL to first contact for Harbor & Vine Co. (Ben Carter)"
    )
    assert server.calls()[0]["hints"]["urgency"] == ["y", 1]
    with qtbot.waitSignal(toaster.action):
        server.press(nid + 100, "acknowledge")  # not ours: a signal the app must ignore
        server.press(nid, "acknowledge")
    assert pressed == [((7, 8, 9), "acknowledge")]


def _answered(qtbot, toaster: DesktopToaster, server) -> None:
    """A digest toast answered with Snooze: every signal the server sent before has been seen
    by the app then (one sender's messages arrive in order)."""
    toaster.show(DIGEST)
    count = len(server.calls()) + 1
    qtbot.waitUntil(lambda: len(server.calls()) == count)
    with qtbot.waitSignal(toaster.action) as pressed:
        server.press(server.calls()[-1]["id"], "snooze")
    assert pressed.args == [(7, 8, 9), "snooze"]


def test_closed_and_expired_toasts_leave_the_alert_alone(qtbot, toasters, server):
    toaster = toasters()
    pressed = _recorded(toaster)
    toaster.show(BREACH)
    dismissed = _shown(qtbot, toaster, server)
    server.close(dismissed)  # the user closes it: no action, no copy in the window
    qtbot.waitUntil(lambda: toaster.native.shown == {})
    toaster.show(BREACH)
    expired = _shown(qtbot, toaster, server)
    server.close(expired, EXPIRED)  # the server's timeout ran out
    server.press(expired, "acknowledge")  # too late: the toast is gone
    _answered(qtbot, toaster, server)
    assert pressed == [((7, 8, 9), "snooze")]  # the late press never reached the app
    assert toaster.stack.banners == []
    toaster.show(BREACH)  # a delivery forgets toasts that expired meanwhile
    qtbot.waitUntil(lambda: list(toaster.native.shown.values()) == [(41, 42)])


def test_the_servers_own_timeout_is_honoured(qtbot, toasters, bus):
    with notification_server(bus, expire_ms=50) as server:
        toaster = toasters()
        pressed = _recorded(toaster)
        toaster.show(BREACH)
        nid = _shown(qtbot, toaster, server)
        qtbot.waitUntil(lambda: (nid, EXPIRED) in server.closed())
        server.press(nid, "acknowledge")  # after the toast expired
        _answered(qtbot, toaster, server)
        assert pressed == [((7, 8, 9), "snooze")] and toaster.stack.banners == []


def test_a_server_without_buttons_means_in_window_toasts(qtbot, toasters, bus):
    with notification_server(bus, capabilities="body body-markup") as server:
        toaster = toasters()
        qtbot.waitUntil(lambda: toaster.backend == "window")  # offscreen has no tray either
        toaster.show(BREACH)
        assert [b.notice for b in toaster.stack.banners] == [BREACH]
        assert server.calls() == []


def test_when_the_server_goes_away_toasts_move_into_the_window_and_come_back(qtbot, toasters, bus):
    with notification_server(bus) as server:
        toaster = toasters()
        toaster.show(BREACH)
        _shown(qtbot, toaster, server)
        server.quit()
    toaster.show(DIGEST)  # no server now: the toast must not be lost
    qtbot.waitUntil(lambda: len(toaster.stack.banners) == 1)
    assert toaster.stack.banners[0].notice == DIGEST and toaster.stack.isVisible()
    with qtbot.waitSignal(toaster.action) as pressed:
        toaster.stack.banners[0].buttons["snooze"].click()
    assert pressed.args == [(7, 8, 9), "snooze"]
    assert toaster.backend == "notifier"  # a desktop's server may restart: keep trying it
    with notification_server(bus) as restarted:
        toaster.show(BREACH)
        qtbot.waitUntil(lambda: len(restarted.calls()) == 1)
        with qtbot.waitSignal(toaster.action) as again:
            restarted.press(restarted.calls()[0]["id"], "acknowledge")
        assert again.args == [(41, 42), "acknowledge"]


def test_without_any_bus_the_in_window_toast_has_the_same_buttons(
    qtbot, toasters, window, monkeypatch
):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path=/tmp/no-bus-{uuid.uuid4()}")
    toaster = toasters()
    qtbot.waitUntil(lambda: toaster.backend == "window")
    sender = threading.Thread(target=toaster.send, args=(BREACH,))  # the alert worker's thread
    sender.start()
    sender.join()
    qtbot.waitUntil(lambda: len(toaster.stack.banners) == 1)
    banner = toaster.stack.banners[0]
    assert [b.text() for b in banner.buttons.values()] == ["Open", "Snooze 15 min", "Acknowledge"]
    with qtbot.waitSignal(toaster.action) as pressed:
        banner.buttons["acknowledge"].click()
    assert pressed.args == [(41, 42), "acknowledge"]


def test_without_a_qasync_loop_the_linux_default_takes_over(qtbot, window, bus):
    with notification_server(bus):
        toaster = DesktopToaster(window, backend="notifier")  # no loop installed
        assert toaster.backend == "dbus"
        toaster.close()


@pytest.fixture
def unauthorised(monkeypatch):
    """macOS before its question: the note, then the system's prompt (answered `granted`)."""
    asked: list[str] = []
    monkeypatch.setattr(notifier, "asks_permission", lambda: True)

    def answer(granted: bool) -> None:
        async def has(self) -> bool:
            return False

        async def request(self) -> bool:
            asked.append("asked")
            return granted

        backend = "desktop_notifier.backends.dbus.DBusDesktopNotifier"  # as macOS's answers
        monkeypatch.setattr(f"{backend}.has_authorisation", has)
        monkeypatch.setattr(f"{backend}.request_authorisation", request)

    return asked, answer


def _permission_box(window) -> QMessageBox | None:
    return window.findChild(QMessageBox, "toastPermission")


@pytest.mark.parametrize("granted", [True, False])
def test_the_permission_is_explained_before_the_system_asks(
    qtbot, toasters, server, window, unauthorised, granted
):
    asked, answer = unauthorised
    answer(granted)
    toaster = toasters()
    toaster.show(BREACH)
    qtbot.waitUntil(lambda: _permission_box(window) is not None)
    box = _permission_box(window)
    assert "macOS will now ask" in box.text() and box.isVisible()
    assert asked == [] and server.calls() == []  # nothing before the note was read
    box.button(QMessageBox.StandardButton.Ok).click()
    if granted:
        _shown(qtbot, toaster, server)
        assert toaster.backend == "notifier" and toaster.stack.banners == []
    else:  # "Don't Allow": the toast shows in the window instead
        qtbot.waitUntil(lambda: len(toaster.stack.banners) == 1)
        assert toaster.backend == "window" and server.calls() == []
    assert asked == ["asked"]


APP_LOOP = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from slaapp.views.toasts import event_loop
from slaapp.views.toasts.toast import DesktopToaster
from tests.integration.test_channel_http import BREACH

app = QApplication([sys.argv[0]])
event_loop.install(app)  # as slaapp.app.run_app does when desktop-notifier is chosen
window = QMainWindow()
toaster = DesktopToaster(window, backend="notifier")
toaster.action.connect(lambda ids, key: (print(json.dumps([ids, key]), flush=True), app.quit()))
poll = QTimer(interval=20)
poll.timeout.connect(lambda: toaster.native.shown and (print("shown", flush=True), poll.stop()))
QTimer.singleShot(0, lambda: (toaster.show(BREACH), poll.start()))
QTimer.singleShot(20000, lambda: app.exit(3))
code = event_loop.run(app)
toaster.close()
print("exit", code, flush=True)
"""


def test_the_app_loop_runs_through_qasync_and_delivers_a_press(server, bus):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DBUS_SESSION_BUS_ADDRESS": bus}
    with subprocess.Popen(
        [sys.executable, "-c", APP_LOOP], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    ) as app:
        assert app.stdout is not None
        assert app.stdout.readline().strip() == "shown"
        server.press(server.calls()[0]["id"], "snooze")
        lines = app.stdout.read().splitlines()
        assert app.wait(30) == 0
    assert json.loads(lines[0]) == [[41, 42], "snooze"]
    assert lines[-1] == "exit 0"
