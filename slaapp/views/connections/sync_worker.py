"""CRM sync on its own QThread: sync-now, a schedule per connection, progress, cancel, shutdown."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from slaapp.services.database import Database
from slaapp.services.team import current_access
from slaapp.services.worker_beat import service_alive
from slaapp.sync.connections import list_connections
from slaapp.sync.connector import SyncControl
from slaapp.sync.service import SyncReport, sync_history, sync_source
from slaapp.sync.sources import ConnectOptions

log = logging.getLogger(__name__)
TICK_MS = 30_000
"""How often the schedule is checked."""


class SyncWorker(QObject):
    """Runs syncs one after another on the sync thread.

    Signals: started(str) with the source name, progress(object) with a sync Progress,
    finished(object) with a SyncReport, crashed(str, str) with the source and the error of a bug.
    """

    started = Signal(str)
    progress = Signal(object)
    finished = Signal(object)
    crashed = Signal(str, str)

    def __init__(
        self, database: Database, options: ConnectOptions, clock: Callable[[], int]
    ) -> None:
        super().__init__()
        self._database = database
        self._clock = clock
        self._stop = threading.Event()
        # Real waits (time.sleep) become waits that a cancel cuts short; injected ones stay.
        self._options = (
            replace(options, sleep=self._sleep) if options.sleep is time.sleep else options
        )
        self._lock = threading.Lock()
        self._control: SyncControl | None = None
        self._pending: set[str] = set()

    def _sleep(self, seconds: float) -> None:
        """Waits for rate limits and backoff end early when the sync is cancelled."""
        self._stop.wait(seconds)

    def want(self, name: str) -> bool:
        """Note a request for `name`; False when it is already waiting or running (GUI thread)."""
        with self._lock:
            if name in self._pending:
                return False
            self._pending.add(name)
            return True

    def cancel(self) -> None:
        """Stop the running sync after its current page, and drop the waiting ones (any thread)."""
        with self._lock:
            self._pending.clear()
            if self._control is not None:
                self._control.cancel()
        self._stop.set()

    @Slot(str)
    def run(self, name: str) -> None:
        with self._lock:
            if name not in self._pending:  # cancelled while waiting
                return
            self._stop.clear()
            self._control = SyncControl(self.progress.emit)
            control = self._control
        self.started.emit(name)
        try:
            report = sync_source(self._database, name, control, self._clock, options=self._options)
        except Exception as exc:  # a bug: sync_source logged it with its traceback
            self.crashed.emit(name, f"{type(exc).__name__}: {exc}")
            return
        finally:
            with self._lock:
                self._control = None
                self._pending.discard(name)
        self.finished.emit(report)

    @Slot()
    def due(self) -> None:
        """Queue every enabled connection whose schedule says it is time to sync (none while
        a `slaapp service` runs: it syncs for the team; none for a team login that may not)."""
        try:
            now = self._clock()
            if service_alive(self._database, now) or not current_access(self._database).may("sync"):
                return
            for connection in list_connections(self._database):
                if not connection.enabled or connection.schedule_minutes <= 0:
                    continue
                runs = sync_history(self._database, connection.name, limit=1)
                due = not runs or runs[0].started_at + connection.schedule_minutes * 60 <= now
                if due and self.want(connection.name):
                    self.run(connection.name)
        except Exception as exc:
            log.exception("checking the sync schedule failed")
            self.crashed.emit("", f"{type(exc).__name__}: {exc}")


class SyncService(QObject):
    """The app's handle on background sync (lives on the GUI thread).

    Signals: started(str), progress(object) Progress, finished(object) SyncReport,
    crashed(str, str), busy(bool). Results arrive on the GUI thread.
    """

    started = Signal(str)
    progress = Signal(object)
    finished = Signal(object)
    crashed = Signal(str, str)
    busy = Signal(bool)
    _request = Signal(str)
    _check = Signal()

    def __init__(
        self,
        database: Database,
        parent: QObject | None = None,
        *,
        options: ConnectOptions | None = None,
        clock: Callable[[], int] = lambda: int(time.time()),
        schedule: bool = True,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("slaapp-sync")
        self._worker = SyncWorker(database, options or ConnectOptions(), clock)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run, Qt.ConnectionType.QueuedConnection)
        self._check.connect(self._worker.due, Qt.ConnectionType.QueuedConnection)
        self._worker.started.connect(self._on_started)
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.crashed.connect(self._on_crashed)
        self._running = 0
        self._thread.start()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.check_schedule)
        if schedule:
            self._timer.start()

    @property
    def running(self) -> bool:
        return self._running > 0

    def sync_now(self, name: str) -> bool:
        """Queue a sync of `name`; False if it is already waiting or running."""
        if not self._worker.want(name):
            return False
        self._request.emit(name)
        return True

    def check_schedule(self) -> None:
        """Sync the connections that are due (the timer calls this every 30 s)."""
        self._check.emit()

    def cancel(self) -> None:
        """Cancel the running sync (it stops after its current page) and the waiting ones."""
        self._worker.cancel()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel, stop the thread and wait for it; True when it ended in time."""
        self._timer.stop()
        self._worker.cancel()
        self._thread.quit()
        ended = self._thread.wait(timeout_ms)
        if not ended:
            log.warning("the sync thread did not stop within %d ms", timeout_ms)
        return bool(ended)

    def _on_started(self, name: str) -> None:
        self._running += 1
        if self._running == 1:
            self.busy.emit(True)
        self.started.emit(name)

    def _done(self) -> None:
        self._running = max(0, self._running - 1)
        if self._running == 0:
            self.busy.emit(False)

    def _on_finished(self, report: SyncReport) -> None:
        self._done()
        self.finished.emit(report)

    def _on_crashed(self, name: str, message: str) -> None:
        if name:
            self._done()
        self.crashed.emit(name, message)
