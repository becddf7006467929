"""Background jobs: a callable run on a QThread, its typed result or error delivered by signal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot

from slaapp.engine.errors import UserError

log = logging.getLogger(__name__)
T = TypeVar("T")


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


@dataclass(frozen=True)
class Job(Generic[T]):
    """One piece of work and where its outcome goes: `done` gets exactly what `work` returned."""

    work: Callable[[], T]
    done: Callable[[T], None]
    failed: Callable[[str], None]
    crashed: Callable[[str], None]


def _alive(callback: Callable[..., None]) -> bool:
    """False when the callback is a method of a Qt object that has been deleted meanwhile."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class JobRunner(QObject):
    """Runs jobs one at a time, in order, each on its own thread. Signals: busy(bool)."""

    busy = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: JobWorker | None = None
        self._queue: list[Job[Any]] = []
        self._current: Job[Any] | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[str], None],
        crashed: Callable[[str], None],
    ) -> None:
        """Run `work` now, or after the jobs already waiting; `done(result)`, `failed(message)`
        for a UserError or `crashed(message)` for a bug is then called on the GUI thread."""
        self._queue.append(Job(work, done, failed, crashed))
        if self._thread is None:
            self._next()

    def _next(self) -> None:
        if not self._queue:
            self._current = None
            self.busy.emit(False)
            return
        job = self._current = self._queue.pop(0)
        thread = QThread(self)
        worker = JobWorker(job.work)
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

    @Slot(object)
    def _finished(self, result: object) -> None:
        job = self._current
        if job is not None and _alive(job.done):
            job.done(result)  # the value `job.work` returned: of the type `job.done` takes

    @Slot(str)
    def _failed(self, message: str) -> None:
        job = self._current
        if job is not None and _alive(job.failed):
            job.failed(message)

    @Slot(str)
    def _crashed(self, message: str) -> None:
        job = self._current
        if job is not None and _alive(job.crashed):
            job.crashed(message)

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
