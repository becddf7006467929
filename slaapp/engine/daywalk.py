"""A plain day-by-day walk over a calendar: the slow reference the fast table is checked against."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from slaapp.engine.calendar import Calendar


def _open_spans(calendar: Calendar, from_epoch: int) -> Iterator[tuple[int, int]]:
    """Merged open intervals in UTC seconds, in order, from the local day before from_epoch on."""
    day = calendar.local_date(from_epoch) - timedelta(days=1)
    pending: tuple[int, int] | None = None
    while True:
        spans = sorted(
            (calendar.local_instant(day, start), calendar.local_instant(day, end))
            for start, end in calendar.day_intervals(day)
        )
        for start, end in spans:
            if end <= start:
                continue
            if pending is not None and start <= pending[1]:
                pending = (pending[0], max(pending[1], end))
                continue
            if pending is not None:
                yield pending
            pending = (start, end)
        day += timedelta(days=1)


def elapsed(calendar: Calendar, a: int, b: int) -> int:
    """Business seconds of [a, b), summed interval by interval."""
    if b <= a:
        return 0
    if calendar.spec.always:
        return b - a
    total = 0
    for start, end in _open_spans(calendar, a):
        if start >= b:
            return total
        total += max(0, min(end, b) - max(start, a))
    raise AssertionError("unreachable")


def add(calendar: Calendar, a: int, seconds: int) -> int:
    """The earliest instant t with elapsed(a, t) == seconds, found by walking forward."""
    if seconds <= 0:
        return a
    if calendar.spec.always:
        return a + seconds
    left = seconds
    for start, end in _open_spans(calendar, a):
        if end <= a:
            continue
        begin = max(start, a)
        if end - begin >= left:
            return begin + left
        left -= end - begin
    raise AssertionError("unreachable")
