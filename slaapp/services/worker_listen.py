"""New data reaches open desktops: PostgreSQL LISTEN/NOTIFY on `slaapp_data` (SQLite polls)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import event

from slaapp.models.database import Database

log = logging.getLogger(__name__)
CHANNEL = "slaapp_data"
"""The notification channel; the payload names the table that changed (migration 0005)."""


def _conninfo(database: Database) -> str:
    url = database.engine.url.set(drivername="postgresql")  # with the team defaults (TLS)
    return url.render_as_string(hide_password=False)


class DataListener:
    """A daemon thread holding one connection that LISTENs; `on_change(table)` runs on it
    for changes other processes committed (this process's own connections are skipped).

    Notifications arrive when the transaction that stored the data commits, so a listener
    sees a sync's page or an import within a second. `stop()` ends the thread.
    """

    def __init__(
        self, database: Database, on_change: Callable[[str], None], poll_seconds: float = 0.25
    ) -> None:
        self._conninfo = _conninfo(database)
        self._own: set[int] = set()
        event.listen(database.engine, "connect", self._remember)
        database.engine.dispose()  # every connection from now on is remembered as ours
        self._on_change = on_change
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slaapp-listen", daemon=True)

    def _remember(self, connection: Any, _record: Any) -> None:
        self._own.add(int(connection.info.backend_pid))

    def start(self, timeout: float = 10.0) -> bool:
        """Start listening; True once the LISTEN is in place (later commits will be seen)."""
        self._thread.start()
        return self._ready.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=self._poll):
                            if note.pid not in self._own:  # our own writes need no refresh
                                self._on_change(note.payload)
            except psycopg.OperationalError as exc:  # the server went away: listen again
                log.warning("listening for new data failed (%s); retrying in 5 s", exc)
                self._stop.wait(5)


def listen_for_data(database: Database, on_change: Callable[[str], None]) -> DataListener | None:
    """A started listener on PostgreSQL; None on SQLite (the app keeps polling)."""
    if database.is_sqlite:
        return None
    listener = DataListener(database, on_change)
    listener.start()
    return listener
