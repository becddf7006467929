"""A small org.freedesktop.Notifications server with buttons (ActionInvoked), for toast tests.

python-dbusmock's notification template does not declare ActionInvoked, and desktop-notifier
subscribes only to the signals a server's introspection declares; this server declares both
signals. It runs in its own process on a private bus (see `private_bus`) with dbus-fast, the
library desktop-notifier itself uses on Linux, so it can disappear mid-test like a crashed
desktop shell. Beside the Notifications interface it offers a control interface the test
drives through `NotificationServer`: the Notify calls it received, a button press, a close or
an expiry, and quitting.

    python -m tests.integration.notification_server ADDRESS [--capabilities "body actions"]
        [--expire-ms N]
"""

import argparse
import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from dbus_fast import BusType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature, DBusStr, DBusUInt32
from dbus_fast.service import ServiceInterface, dbus_method, dbus_signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
CONTROL = "org.slaapp.test.NotificationServer"
ROOT = Path(__file__).resolve().parents[2]
EXPIRED, DISMISSED = 1, 2
"""NotificationClosed reasons of the specification: expired, dismissed by the user."""
Strings = Annotated[list[str], DBusSignature("as")]
Hints = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
Timeout = Annotated[int, DBusSignature("i")]
Info = Annotated[list[str], DBusSignature("ssss")]
Closed = Annotated[list[int], DBusSignature("uu")]
Action = Annotated[list[Any], DBusSignature("us")]


def serve(address: str, capabilities: list[str], expire_ms: int) -> None:
    """Own org.freedesktop.Notifications on the bus at `address` until Quit (runs in the child)."""

    class Notifications(ServiceInterface):
        def __init__(self) -> None:
            super().__init__(NAME)
            self.calls: list[dict[str, Any]] = []
            self.closed: list[tuple[int, int]] = []
            self.last_id = 0

        @dbus_method(name="GetCapabilities")
        def get_capabilities(self) -> Strings:
            return capabilities

        @dbus_method(name="GetServerInformation")
        def get_server_information(self) -> Info:
            return ["slaapp-test", "slaapp", "1.0", "1.2"]

        @dbus_method(name="Notify")
        def notify(
            self,
            app_name: DBusStr,
            replaces_id: DBusUInt32,
            app_icon: DBusStr,
            summary: DBusStr,
            body: DBusStr,
            actions: Strings,
            hints: Hints,
            expire_timeout: Timeout,
        ) -> DBusUInt32:
            self.last_id += 1
            self.calls.append(
                {
                    "id": self.last_id,
                    "app_name": app_name,
                    "replaces_id": replaces_id,
                    "app_icon": app_icon,
                    "summary": summary,
                    "body": body,
                    "actions": actions,
                    "hints": {key: [v.signature, v.value] for key, v in hints.items()},
                    "expire_timeout": expire_timeout,
                }
            )
            wait = expire_ms if expire_timeout < 0 else expire_timeout
            if wait > 0:
                nid = self.last_id
                asyncio.get_running_loop().call_later(
                    wait / 1000, self.notification_closed, nid, EXPIRED
                )
            return self.last_id

        @dbus_method(name="CloseNotification")
        def close_notification(self, nid: DBusUInt32) -> None:
            self.notification_closed(nid, 3)

        @dbus_signal(name="NotificationClosed")
        def notification_closed(self, nid: int, reason: int) -> Closed:
            self.closed.append((nid, reason))
            return [nid, reason]

        @dbus_signal(name="ActionInvoked")
        def action_invoked(self, nid: int, key: str) -> Action:
            return [nid, key]

    class Control(ServiceInterface):
        def __init__(self, notifications: Notifications, done: asyncio.Event) -> None:
            super().__init__(CONTROL)
            self.notifications = notifications
            self.done = done

        @dbus_method(name="Calls")
        def calls(self) -> DBusStr:
            return json.dumps(self.notifications.calls)

        @dbus_method(name="Closed")
        def closed(self) -> DBusStr:
            return json.dumps(self.notifications.closed)

        @dbus_method(name="Press")
        def press(self, nid: DBusUInt32, key: DBusStr) -> None:
            self.notifications.action_invoked(nid, key)

        @dbus_method(name="Close")
        def close(self, nid: DBusUInt32, reason: DBusUInt32) -> None:
            self.notifications.notification_closed(nid, reason)

        @dbus_method(name="Quit")
        def quit(self) -> None:
            self.done.set()

    async def main() -> None:
        bus = await MessageBus(bus_address=address, bus_type=BusType.SESSION).connect()
        done = asyncio.Event()
        notifications = Notifications()
        bus.export(PATH, notifications)
        bus.export(PATH, Control(notifications, done))
        await bus.request_name(NAME)
        await done.wait()
        await asyncio.sleep(0.05)  # the reply to Quit leaves before the connection closes
        bus.disconnect()

    asyncio.run(main())


class NotificationServer:
    """The running server, seen from the test: what it was sent, and what its user does."""

    def __init__(self, connection: Any, process: subprocess.Popen[bytes]) -> None:
        self.connection = connection
        self.process = process

    def _call(self, method: str, signature: str = "", body: tuple[Any, ...] = ()) -> Any:
        from jeepney import DBusAddress, MessageType, new_method_call

        control = DBusAddress(PATH, NAME, CONTROL)
        reply = self.connection.send_and_get_reply(
            new_method_call(control, method, signature, body), timeout=10
        )
        assert reply.header.message_type == MessageType.method_return, reply.body
        return reply.body

    def calls(self) -> list[dict[str, Any]]:
        """Every Notify call received: app_name, summary, body, actions, hints (signature,
        value), expire_timeout and the id the server answered."""
        return list(json.loads(self._call("Calls")[0]))

    def closed(self) -> list[tuple[int, int]]:
        """Every NotificationClosed the server emitted: (id, reason)."""
        return [(nid, reason) for nid, reason in json.loads(self._call("Closed")[0])]

    def press(self, nid: int, key: str) -> None:
        """The user presses the button `key` ("default": the toast itself) of toast `nid`."""
        self._call("Press", "us", (nid, key))

    def close(self, nid: int, reason: int = DISMISSED) -> None:
        """Toast `nid` goes away (dismissed by the user, by default)."""
        self._call("Close", "uu", (nid, reason))

    def quit(self) -> None:
        """The server leaves the bus, as when a desktop's notification daemon dies."""
        self._call("Quit")
        self.process.wait(10)


@contextmanager
def notification_server(
    address: str, capabilities: str = "body actions", expire_ms: int = 0
) -> Iterator[NotificationServer]:
    """This file's server on the bus at `address`, owning its name when yielded."""
    from jeepney import MatchRule
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import Proxy, open_dbus_connection

    connection = open_dbus_connection(bus=address)
    process: subprocess.Popen[bytes] | None = None
    try:
        bus = Proxy(message_bus, connection, timeout=10)
        owner_changed = MatchRule(type="signal", member="NameOwnerChanged")
        owner_changed.add_arg_condition(0, NAME)
        bus.AddMatch(owner_changed)
        command = [sys.executable, "-m", "tests.integration.notification_server", address]
        command += ["--capabilities", capabilities, "--expire-ms", str(expire_ms)]
        with connection.filter(owner_changed) as changes:
            process = subprocess.Popen(command, cwd=ROOT)
            while not bus.NameHasOwner(NAME)[0]:
                connection.recv_until_filtered(changes, timeout=20)
        yield NotificationServer(connection, process)
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(10)
        connection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address")
    parser.add_argument("--capabilities", default="body actions")
    parser.add_argument("--expire-ms", type=int, default=0)
    options = parser.parse_args()
    serve(options.address, options.capabilities.split(), options.expire_ms)
