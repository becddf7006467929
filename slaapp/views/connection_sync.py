"""Runs one source's sync on its own QThread with progress and cancel, for the Connections screen."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..models.database import Database
from ..sync.connector import Progress, SyncControl
from ..sync.service import sync_source
from ..sync.sources import ConnectOptions

log = logging.getLogger(__name__)


class _Worker(QObject):
    progress = Signal(object)
    done = Signal(object)
    crashed = Signal(str)

    def __init__(
        self, database: Database, name: str, control: SyncControl, options: ConnectOptions | None
    ) -> None:
        super().__init__()
        self._database, self._name, self._control, self._options = database, name, control, options

    @Slot()
    def run(self) -> None:
        try:
            report = sync_source(self._database, self._name, self._control, options=self._options)
        except Exception as exc:
            log.exception("sync of %s crashed", self._name)
            self.crashed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.done.emit(report)


class SourceSync(QObject):
    """One sync at a time. Signals: progress(Progress), finished(SyncReport), crashed(str), stopped()."""

    progress = Signal(object)
    finished = Signal(object)
    crashed = Signal(str)
    stopped = Signal()

    def __init__(
        self,
        database: Database,
        options: ConnectOptions | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._database, self._options = database, options
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._control: SyncControl | None = None
        self.source = ""

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, name: str) -> bool:
        """Start syncing `name`; False while another sync runs."""
        if self._thread is not None:
            return False
        self.source = name
        thread = QThread(self)
        self._control = SyncControl(lambda p: worker.progress.emit(p))
        worker = _Worker(self._database, name, self._control, self._options)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._relay)
        worker.done.connect(self.finished)
        worker.crashed.connect(self.crashed)
        worker.done.connect(thread.quit)
        worker.crashed.connect(thread.quit)
        thread.finished.connect(self._cleanup)
        self._thread, self._worker = thread, worker
        thread.start()
        return True

    def _relay(self, progress: Progress) -> None:
        self.progress.emit(progress)

    def cancel(self) -> None:
        if self._control is not None:
            self._control.cancel()

    def _cleanup(self) -> None:
        if self._thread is not None:
            self._thread.wait()
            self._thread.deleteLater()
        if self._worker is not None:
            self._worker.deleteLater()
        self._thread = self._worker = self._control = None
        self.stopped.emit()

    def shutdown(self) -> None:
        """Cancel the running sync and wait for its page to commit."""
        self.cancel()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
