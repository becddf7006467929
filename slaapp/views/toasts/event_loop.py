"""The asyncio loop desktop-notifier needs, run by Qt's own event loop through qasync.

desktop-notifier delivers button presses to asyncio callbacks; its synchronous wrapper under a
plain `QApplication.exec()` never delivered one (measured), and PySide6-Essentials has no
QtAsyncio. qasync's loop is driven by Qt's event dispatcher (QSocketNotifier, QTimer), so
coroutines and Qt slots run on the GUI thread, one at a time, in any Qt loop: `exec()`, a
dialog's nested loop, or pytest-qt's waits.

The app installs the loop only when the desktop-notifier backend is chosen (`install` before
the window is built, then `run` instead of `app.exec()`); with the D-Bus backend (Linux) the
app keeps the plain `app.exec()` the whole test suite relies on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

_loop: asyncio.AbstractEventLoop | None = None
"""The qasync loop of this process, once installed."""


def available() -> bool:
    """qasync is importable (a dependency on every platform; missing only in odd installs)."""
    try:
        import qasync  # noqa: F401
    except ImportError:
        return False
    return True


def install(app: QApplication) -> asyncio.AbstractEventLoop:
    """A qasync loop on `app`, set as asyncio's loop; tasks created now start with `run`."""
    global _loop
    import qasync

    if _loop is None or _loop.is_closed():
        _loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(_loop)
    return _loop


def current() -> asyncio.AbstractEventLoop | None:
    """The installed loop, or None when the app runs on plain Qt."""
    return _loop if _loop is not None and not _loop.is_closed() else None


def run(app: QApplication) -> int:
    """`app.exec()` through qasync (its `run_forever` calls it); the loop is closed after."""
    loop = install(app)
    try:
        return int(loop.run_forever())
    finally:
        _close(app, loop)


@contextlib.contextmanager
def running(app: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop whose callbacks run in Qt loops started by someone else (pytest-qt's waits).

    It does what qasync's `run_forever` does around `app.exec()`, without calling it, and
    without qasync's `stop()`, which calls `QApplication.exit()`: that sets Qt's quit flag for
    good and every later `QEventLoop.exec()` of the process would return at once.
    """
    loop = install(app)
    previous = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
    finally:
        asyncio.events._set_running_loop(previous)
        _close(app, loop)


def _close(app: QApplication, loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is still pending, let the cancellations run, close the loop."""
    global _loop
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        previous = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(loop)
        try:
            for _ in range(20):
                if all(task.done() for task in pending):
                    break
                app.processEvents()
        finally:
            asyncio.events._set_running_loop(previous)
    with contextlib.suppress(RuntimeError):
        loop.close()
    asyncio.set_event_loop(None)
    if _loop is loop:
        _loop = None
