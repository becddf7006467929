"""GUI-thread stall monitor: a 10 ms timer that measures how late it fires and logs stalls over 100 ms."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal

log = logging.getLogger(__name__)

INTERVAL_MS = 10
BUDGET_MS = 100
"""DESIGN.md section 10: the GUI thread never stalls longer than this in normal use."""


@dataclass(frozen=True)
class Stall:
    """The event loop did not run for `ms` milliseconds, ending at `ended` (perf_counter), while
    `doing` (the current screen and what was asked of it)."""

    ms: float
    ended: float
    doing: str
    collecting_ms: float = 0.0  # of which Python's garbage collector ran (holding the GIL)


class StallMonitor(QObject):
    """Fires every INTERVAL_MS on the GUI thread; a tick later than `threshold_ms` is a stall.

    Signals: stalled(Stall) for each stall over the threshold (also logged at DEBUG).
    `longest()` is the longest pause seen since `reset()`, reported or not (for benchmarks).
    """

    stalled = Signal(object)

    def __init__(
        self,
        doing: Callable[[], str] = lambda: "",
        threshold_ms: float = BUDGET_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.doing = doing
        self.threshold_ms = threshold_ms
        self.stalls: list[Stall] = []
        self._longest = 0.0
        self.longest_collecting = 0.0
        """Garbage collection (ms) within the longest pause."""
        self._last = 0.0
        self._collecting = 0.0  # ms of garbage collection since the last tick
        self._gc_started = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._collecting = 0.0
        if self._gc_callback not in gc.callbacks:
            gc.callbacks.append(self._gc_callback)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._gc_callback in gc.callbacks:
            gc.callbacks.remove(self._gc_callback)

    def _gc_callback(self, phase: str, info: dict[str, int]) -> None:
        """Time of each collection, on any thread: it holds the GIL, so the GUI waits as well."""
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started:
            self._collecting += (time.perf_counter() - self._gc_started) * 1000
            self._gc_started = 0.0

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def reset(self) -> None:
        """Forget what was seen so far (the next `longest()` covers only what follows)."""
        self.stalls.clear()
        self._longest = self.longest_collecting = 0.0
        self._last = time.perf_counter()

    def longest(self) -> float:
        """The longest pause of the event loop since `reset()`, in ms (the tick's own 10 ms off)."""
        self.check()
        return self._longest

    def check(self) -> None:
        """Count the pause up to now (a caller that blocked the loop can ask before it runs)."""
        if self.active:
            self._measure(time.perf_counter(), restart=False)

    def _tick(self) -> None:
        self._measure(time.perf_counter(), restart=True)

    def _measure(self, at: float, *, restart: bool) -> None:
        late = (at - self._last) * 1000 - INTERVAL_MS
        if late > self._longest:
            self._longest, self.longest_collecting = late, self._collecting
        if restart:
            self._last = at
            collecting, self._collecting = self._collecting, 0.0
            if late > self.threshold_ms:
                stall = Stall(round(late, 1), at, self._describe(), round(collecting, 1))
                self.stalls.append(stall)
                log.debug(
                    "GUI thread stalled for %.0f ms (%s%s)",
                    stall.ms,
                    stall.doing or "idle",
                    f"; {collecting:.0f} ms of it collecting garbage" if collecting >= 1 else "",
                )
                self.stalled.emit(stall)

    def _describe(self) -> str:
        try:
            return self.doing()
        except Exception:  # a monitor never breaks the app it watches
            return ""
