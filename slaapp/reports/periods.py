"""Report periods in users' words: last full week, local days, the data's own range, empty results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def last_full_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the week before `today`'s week."""
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def local_day(instant: int, zone: str) -> date:
    """The local date of an instant in `zone`."""
    return datetime.fromtimestamp(instant, ZoneInfo(zone)).date()


def day_bounds(first: date, last: date, zone: str) -> tuple[int, int]:
    """[start, end) instants of the local days first..last (both included) in `zone`."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    return int(start.timestamp()), int(end.timestamp())


def judged_at(end: int, as_of: int) -> int:
    """The instant the clocks of a period ending at `end` are judged: its end or as-of, earlier."""
    return min(end, as_of)


@dataclass(frozen=True)
class DataSpan:
    """The local days holding the first and the last clock start of the stored data."""

    first: date
    last: date

    @classmethod
    def of(cls, first_start: int, last_start: int, zone: str) -> DataSpan:
        return cls(local_day(first_start, zone), local_day(last_start, zone))

    def words(self) -> str:
        return f"the data covers {self.first.isoformat()} to {self.last.isoformat()}"


def follow_data(first: date, last: date, span: DataSpan | None) -> tuple[date, date]:
    """A default period, or the data's own range when its newest clock is older than the period."""
    if span is not None and span.last < first:
        return span.first, span.last
    return first, last


def nothing_words(
    first: date, last: date, zone: str, span: DataSpan | None, flags: bool = True
) -> str:
    """`no clocks between D and D (zone); the data covers D to D: use --from D --to D`."""
    text = f"no clocks between {first.isoformat()} and {last.isoformat()} ({zone})"
    if span is None:
        return text + "; no clocks are stored yet"
    text += f"; {span.words()}"
    if flags:
        text += f": use --from {span.first.isoformat()} --to {span.last.isoformat()}"
    return text
