"""Background jobs: a callable run on a QThread, its result or error delivered by signal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot

from slaapp.engine.errors import UserError

log = logging.getLogger(__name__)


class JobWorker(QObject):
    """Signals: finished(object) with the result, failed(str) for bad input, crashed(str) for bugs."""

    finished = Signal(object)
    failed = Signal(str)
    crashed = Signal(str)

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__()
        self._work = work

    @Slot()
    def run(self) -> None:
        try:
            result = self._work()
        except UserError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:
            log.exception("background job failed")
            self.crashed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.finished.emit(result)


Job = tuple[
    Callable[[], object], Callable[[object], None], Callable[[str], None], Callable[[str], None]
]


class JobRunner(QObject):
    """Runs jobs one at a time, in order, each on its own thread. Signals: busy(bool)."""

    busy = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: JobWorker | None = None
        self._queue: list[Job] = []
        self._callbacks: tuple[Callable[[Any], None], ...] = ()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(
        self,
        work: Callable[[], object],
        done: Callable[[object], None],
        failed: Callable[[str], None],
        crashed: Callable[[str], None],
    ) -> None:
        """Run `work` now, or after the jobs already waiting; results arrive on the GUI thread."""
        self._queue.append((work, done, failed, crashed))
        if self._thread is None:
            self._next()

    def _next(self) -> None:
        if not self._queue:
            self.busy.emit(False)
            return
        work, *callbacks = self._queue.pop(0)
        self._callbacks = tuple(callbacks)
        thread = QThread(self)
        worker = JobWorker(work)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Results go through this runner (it lives on the GUI thread), so any callable works
        # as a callback and a callback whose widget is gone by then is skipped.
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        worker.crashed.connect(self._crashed)
        for signal in (worker.finished, worker.failed, worker.crashed):
            signal.connect(thread.quit)
        thread.finished.connect(self._cleanup)
        self._thread, self._worker = thread, worker
        self.busy.emit(True)
        thread.start()

    def _deliver(self, which: int, value: object) -> None:
        callback = self._callbacks[which] if self._callbacks else None
        owner = getattr(callback, "__self__", None)
        if callback is None or (isinstance(owner, QObject) and not shiboken6.isValid(owner)):
            return
        callback(value)

    @Slot(object)
    def _finished(self, result: object) -> None:
        self._deliver(0, result)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._deliver(1, message)

    @Slot(str)
    def _crashed(self, message: str) -> None:
        self._deliver(2, message)

    def _cleanup(self) -> None:
        if self._thread is not None:
            self._thread.wait()
            self._thread.deleteLater()
        if self._worker is not None:
            self._worker.deleteLater()
        self._thread = self._worker = None
        self._next()

    def shutdown(self) -> None:
        """Drop waiting jobs and wait for the running one (a short transaction) to end."""
        self._queue.clear()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()


class ProgressRelay(QObject):
    """Carries progress from a job's thread to the GUI thread. Signals: progress(float)."""

    progress = Signal(float)

    def report(self, share: float) -> None:
        self.progress.emit(share)
