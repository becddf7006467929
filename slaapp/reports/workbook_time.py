"""Local wall-clock dates and times, and durations, as the scorecard workbook shows them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from slaapp.engine.durations import HOURS_ONLY, describe_duration

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
EXCEL_EPOCH_DAYS = 25_569  # 1970-01-01 as an Excel (1900 system) serial day


class LocalTime:
    """Epoch seconds to Excel serial date-times on the wall clock of one IANA zone."""

    def __init__(self, zone: str) -> None:
        self.tz = ZoneInfo(zone)
        self.hour_offsets: dict[int, int] = {}  # hours without an offset change inside them

    def offset(self, epoch: int) -> int:
        hour = epoch // 3600
        known = self.hour_offsets.get(hour)
        if known is not None:
            return known
        exact = self._offset(epoch)
        if self._offset(hour * 3600) == exact == self._offset(hour * 3600 + 3599):
            self.hour_offsets[hour] = exact
        return exact

    def _offset(self, epoch: int) -> int:
        shift = datetime.fromtimestamp(epoch, self.tz).utcoffset()
        return 0 if shift is None else int(shift.total_seconds())

    def local(self, epoch: int) -> datetime:
        return datetime.fromtimestamp(epoch, self.tz)

    def day(self, epoch: int) -> str:
        """`Mon 2 Nov 2026`."""
        return _day_text(self.local(epoch).date())

    def span(self, start: int, end: int) -> str:
        """The days of [start, end): `Mon 2 Nov 2026 – Sun 8 Nov 2026`."""
        first, last = self.day(start), self.day(max(start, end - 1))
        return first if first == last else f"{first} – {last}"

    def moment(self, epoch: int) -> str:
        moment = self.local(epoch)
        return f"{_day_text(moment.date())}, {moment:%H:%M}"


def _day_text(day: date) -> str:
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def as_hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


def _duration(seconds: float | None) -> str:
    return "–" if seconds is None else describe_duration(round(seconds), HOURS_ONLY)


def change_in_words(now: float | None, before: float | None) -> str:
    """`1 h 30 min (previous period 2 h)` for a response time."""
    if now is None:
        return "No clock closed in the period"
    if before is None:
        return f"{_duration(now)} (none closed in the previous period)"
    return f"{_duration(now)} (previous period {_duration(before)})"
