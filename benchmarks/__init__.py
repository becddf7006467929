"""Benchmarks of the slaapp engine against baselines measured in the same run (`python -m benchmarks`)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Summary:
    """One line of the final table: our figure, the baseline's, their ratio and the budget."""

    name: str
    ours: str
    baseline: str
    ratio: float | None
    budget: str
    within_budget: bool | None
    identical: bool = True


def best_of(repeats: int, fn: Callable[[], T]) -> tuple[float, T]:
    """The shortest wall time in seconds of `repeats` calls, and the last call's result."""
    best, result = timed(fn)
    for _ in range(repeats - 1):
        seconds, result = timed(fn)
        best = min(best, seconds)
    return best, result


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall time in seconds of one call, and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


@contextmanager
def quiet_baseline() -> Iterator[None]:
    """Silence deprecation noise from third-party baselines (pytz, businesstimedelta) only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        yield


def rate(count: int, seconds: float) -> str:
    """A throughput like `12,345,678/s`."""
    return f"{count / seconds:,.0f}/s" if seconds > 0 else "inf/s"


def line(label: str, *cells: str) -> None:
    """Print one aligned report line."""
    print(f"  {label:<42}" + "  ".join(f"{c:>15}" for c in cells))
