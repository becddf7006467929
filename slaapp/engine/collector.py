"""Python's cyclic garbage collector paused while a run makes many short-lived objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off meanwhile (on again after, if it was on).

    A worker reading a whole history or building a workbook makes hundreds of thousands of
    short-lived rows, enough to start full collections there: each holds the GIL for 50 ms
    or more, so the GUI thread stops for as long. Such rows hold no cycles; their memory
    goes back as they go, collector or not.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
