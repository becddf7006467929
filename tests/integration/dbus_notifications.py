"""A private D-Bus session bus and python-dbusmock's notification daemon on it, for toast tests.

The bus is this test's own `dbus-daemon --session`, so tests behave the same whether or not
pytest already runs under a session bus. dbusmock runs as a separate process with the first
Python that has it: this venv's, else Debian's /usr/bin/python3 (apt python3-dbusmock).
The test talks to the mock (GetMethodCalls, EmitSignal) with jeepney.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from jeepney import DBusAddress, MatchRule, MessageType, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, Proxy, open_dbus_connection

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
MOCK = DBusAddress(PATH, NAME, "org.freedesktop.DBus.Mock")


def dbusmock_python() -> str:
    for python in (sys.executable, "/usr/bin/python3"):
        found = subprocess.run([python, "-c", "import dbusmock"], capture_output=True)
        if found.returncode == 0:
            return python
    pytest.fail(
        "python-dbusmock is missing: `apt-get install python3-dbusmock` (Debian), or "
        "pip install python-dbusmock dbus-python PyGObject into the venv"
    )


@contextmanager
def private_bus() -> Iterator[str]:
    """Start a session bus of our own; yields its address."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.skip("dbus-daemon is not installed (apt-get install dbus-daemon)")
    process = subprocess.Popen(
        [daemon, "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        address = process.stdout.readline().strip()
        assert address, "dbus-daemon printed no address"
        yield address
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


class MockNotifications:
    """The running notification daemon: its recorded calls and a way to emit its signals."""

    def __init__(self, connection: DBusConnection, process: subprocess.Popen[bytes]) -> None:
        self.connection = connection
        self.process = process

    def _call(self, method: str, signature: str = "", body: tuple[Any, ...] = ()) -> Any:
        reply = self.connection.send_and_get_reply(
            new_method_call(MOCK, method, signature, body), timeout=10
        )
        assert reply.header.message_type == MessageType.method_return, reply.body
        return reply.body

    def calls(self, method: str) -> list[tuple[Any, ...]]:
        """Arguments of each call of `method`, variants unwrapped."""
        (found,) = self._call("GetMethodCalls", "s", (method,))
        return [tuple(value for _signature, value in args) for _time, args in found]

    def signatures(self, method: str) -> list[str]:
        """The D-Bus signature each call of `method` arrived with, e.g. `susssasa{sv}i`."""
        (found,) = self._call("GetMethodCalls", "s", (method,))
        return ["".join(signature for signature, _value in args) for _time, args in found]

    def emit(self, name: str, signature: str, args: tuple[Any, ...]) -> None:
        wrapped = [(kind, value) for kind, value in zip(signature, args)]
        self._call("EmitSignal", "sssav", (NAME, name, signature, wrapped))

    def stop(self) -> None:
        """The daemon leaves the bus, as when a desktop session's notification server dies."""
        self.process.terminate()
        self.process.wait(10)


@contextmanager
def notification_daemon(address: str, capabilities: str) -> Iterator[MockNotifications]:
    """dbusmock's notification_daemon template on the bus at `address`, ready when yielded."""
    connection = open_dbus_connection(bus=address)
    process: subprocess.Popen[bytes] | None = None
    try:
        bus = Proxy(message_bus, connection, timeout=10)
        owner_changed = MatchRule(type="signal", member="NameOwnerChanged")
        owner_changed.add_arg_condition(0, NAME)
        bus.AddMatch(owner_changed)
        command = [dbusmock_python(), "-m", "dbusmock", "--template", "notification_daemon"]
        command += ["-p", json.dumps({"capabilities": capabilities})]
        with connection.filter(owner_changed) as changes:
            process = subprocess.Popen(
                command, env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
            )
            if not bus.NameHasOwner(NAME)[0]:
                connection.recv_until_filtered(changes, timeout=20)
        yield MockNotifications(connection, process)
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(10)
        connection.close()
