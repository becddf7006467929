"""Business calendars: open intervals in local wall time, timed as a cumulative business-seconds table."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import numpy as np
import numpy.typing as npt

from slaapp.engine.errors import UserError

I64 = npt.NDArray[np.int64]
Intervals = tuple[tuple[int, int], ...]
"""Open intervals of one local day as (start, end) seconds after local midnight; end <= 86400."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 86400
_MAX_EMPTY_YEARS = 12


class CalendarError(UserError, ValueError):
    """A calendar that cannot answer: for instance one that never opens."""


@dataclass(frozen=True)
class HolidayPreset:
    """Public holidays of a country (and optional subdivision) from the `holidays` package."""

    country: str
    subdiv: str | None = None


@dataclass(frozen=True)
class CalendarSpec:
    """What a calendar is: weekly hours, holidays and overrides in one IANA time zone."""

    timezone: str = "UTC"
    hours: Mapping[int, Intervals] = field(default_factory=dict)
    holidays: Mapping[date, str] = field(default_factory=dict)
    holiday_preset: HolidayPreset | None = None
    overrides: Mapping[date, Intervals] = field(default_factory=dict)
    hours_per_day: float = 8.0
    always: bool = False

    @property
    def business_day_seconds(self) -> int:
        return round(self.hours_per_day * 3600)


def merge_intervals(intervals: list[tuple[int, int]]) -> Intervals:
    """Sorted intervals with overlapping or touching ones merged and empty ones dropped."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


@dataclass(frozen=True, eq=False)
class _Table:
    """Merged open intervals [opens, closes) in UTC seconds with business seconds before each."""

    first_day: date
    last_day: date
    start: int
    end: int
    opens: I64
    closes: I64
    cum_open: I64
    cum_close: I64


class Calendar:
    """Answers business-time questions about one CalendarSpec.

    `cum(t)` counts business seconds from a fixed origin, so `elapsed(a, b)` is
    `cum(b) - cum(a)` and `add(a, s)` is the earliest `t` with `cum(t) == cum(a) + s`.
    The table grows by whole years on demand; values stay stable as it grows.
    """

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self._lock = threading.Lock()
        self._table: _Table | None = None
        self._origin: int | None = None
        self._preset_years: set[int] = set()
        self._preset_days: dict[date, str] = {}

    # ----- day structure -------------------------------------------------------------
    def day_intervals(self, day: date) -> Intervals:
        """Open intervals of one local date after overrides and holidays."""
        spec = self.spec
        if spec.always:
            return ((0, DAY),)
        override = spec.overrides.get(day)
        if override is not None:
            return override
        if self.holiday_name(day) is not None:
            return ()
        return spec.hours.get(day.weekday(), ())

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name if `day` is a holiday of this calendar (explicit or preset)."""
        name = self.spec.holidays.get(day)
        if name is not None:
            return name
        preset = self.spec.holiday_preset
        if preset is None:
            return None
        if day.year not in self._preset_years:
            self._load_preset_years(day.year, day.year)
        return self._preset_days.get(day)

    def _load_preset_years(self, lo: int, hi: int) -> None:
        preset = self.spec.holiday_preset
        missing = [y for y in range(lo, hi + 1) if y not in self._preset_years]
        if preset is None or not missing:
            return
        found = holidays_lib.country_holidays(preset.country, subdiv=preset.subdiv, years=missing)
        self._preset_days.update({day: str(name) for day, name in found.items()})
        self._preset_years.update(missing)

    def local_instant(self, day: date, seconds: int) -> int:
        """UTC epoch seconds of a local wall time (fold=0); 86400 means the next midnight."""
        if seconds >= DAY:
            day, seconds = day + timedelta(days=1), seconds - DAY
        wall = datetime.combine(day, time(seconds // 3600, seconds % 3600 // 60, seconds % 60))
        return int(wall.replace(tzinfo=self.zone, fold=0).timestamp())

    def local_date(self, epoch: int) -> date:
        return datetime.fromtimestamp(epoch, self.zone).date()

    # ----- the table -----------------------------------------------------------------
    def _build(self, first_day: date, last_day: date) -> _Table:
        self._load_preset_years(first_day.year, last_day.year)
        raw: list[tuple[int, int]] = []
        day = first_day
        one = timedelta(days=1)
        while day <= last_day:
            for start, end in self.day_intervals(day):
                raw.append((self.local_instant(day, start), self.local_instant(day, end)))
            day += one
        spans = merge_intervals(raw)
        opens = np.fromiter((s for s, _ in spans), dtype=np.int64, count=len(spans))
        closes = np.fromiter((e for _, e in spans), dtype=np.int64, count=len(spans))
        lengths = closes - opens
        cum_close = np.cumsum(lengths, dtype=np.int64)
        cum_open = cum_close - lengths
        start = self.local_instant(first_day, 0)
        end = self.local_instant(last_day + one, 0)
        if self._origin is None:
            self._origin = start
        else:
            shift = _cum_at(opens, closes, cum_open, np.array([self._origin], dtype=np.int64))[0]
            cum_open -= shift
            cum_close -= shift
        return _Table(first_day, last_day, start, end, opens, closes, cum_open, cum_close)

    def _ensure(self, lo: int, hi: int) -> _Table:
        """A table covering instants lo..hi, built or widened by whole years as needed."""
        table = self._table
        if table is not None and table.start <= lo and hi < table.end:
            return table
        with self._lock:
            table = self._table
            if table is not None and table.start <= lo and hi < table.end:
                return table
            first = datetime.fromtimestamp(lo, UTC).date() - timedelta(days=2)
            last = datetime.fromtimestamp(hi, UTC).date() + timedelta(days=2)
            first = date(first.year, 1, 1)
            last = date(last.year, 12, 31)
            if table is not None:
                first = min(first, table.first_day)
                last = max(last, table.last_day)
            table = self._build(first, last)
            self._table = table
            return table

    def _ensure_cum(self, table: _Table, hi_cum: int) -> _Table:
        """A table whose open time reaches cumulative value hi_cum."""
        grow = 1
        while table.cum_close.size == 0 or table.cum_close[-1] < hi_cum:
            last_close = int(table.closes[-1]) if table.closes.size else table.start
            if table.end - last_close > _MAX_EMPTY_YEARS * 366 * DAY:
                raise CalendarError("the calendar has no open hours in the years ahead")
            table = self._ensure(table.start, table.end + grow * 366 * DAY)
            grow = min(grow * 2, 16)
        return table

    # ----- vectorised queries ----------------------------------------------------------
    def cum(self, t: I64) -> I64:
        """Business seconds from the calendar's origin to each instant (may be negative)."""
        t = np.asarray(t, dtype=np.int64)
        if self.spec.always:
            return t.copy()
        if t.size == 0:
            return np.zeros(t.shape, dtype=np.int64)
        table = self._ensure(int(t.min()), int(t.max()))
        return _cum_at(table.opens, table.closes, table.cum_open, t)

    def at_cum(self, c: I64, near: int) -> I64:
        """Earliest instant at which cum reaches each value; `near` is an instant already covered."""
        c = np.asarray(c, dtype=np.int64)
        if self.spec.always:
            return c.copy()
        if c.size == 0:
            return np.zeros(c.shape, dtype=np.int64)
        table = self._ensure(near, near)
        table = self._ensure_cum(table, int(c.max()))
        idx = np.searchsorted(table.cum_close, c, side="left")
        return table.opens[idx] + (c - table.cum_open[idx])

    def elapsed_many(self, a: I64, b: I64) -> I64:
        """Business seconds of [a, b) for each pair; 0 where b <= a."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        if self.spec.always:
            return _nonnegative(b - a)
        both = np.concatenate((a.ravel(), b.ravel()))
        if both.size == 0:
            return np.zeros(a.shape, dtype=np.int64)
        cums = self.cum(both)
        return _nonnegative(cums[a.size :].reshape(b.shape) - cums[: a.size].reshape(a.shape))

    def add_many(self, a: I64, s: I64) -> I64:
        """Earliest instant t with elapsed(a, t) == s for each pair; a itself where s <= 0."""
        a = np.asarray(a, dtype=np.int64)
        s = np.asarray(s, dtype=np.int64)
        if self.spec.always:
            return a + np.maximum(s, 0)
        if a.size == 0:
            return a.copy()
        due = self.at_cum(self.cum(a) + np.maximum(s, 1), int(a.min()))
        return np.where(s > 0, due, a)

    def is_open_many(self, t: I64) -> npt.NDArray[np.bool_]:
        """Whether each instant lies inside an open interval [open, close)."""
        t = np.asarray(t, dtype=np.int64)
        if self.spec.always:
            return np.ones(t.shape, dtype=np.bool_)
        if t.size == 0:
            return np.zeros(t.shape, dtype=np.bool_)
        table = self._ensure(int(t.min()), int(t.max()))
        idx = np.searchsorted(table.opens, t, side="right") - 1
        safe = np.maximum(idx, 0)
        return (idx >= 0) & (t < table.closes[safe])

    # ----- scalar queries --------------------------------------------------------------
    def elapsed(self, a: int, b: int) -> int:
        """Business seconds of [a, b); 0 if b <= a."""
        if b <= a:
            return 0
        return int(self.elapsed_many(np.array([a]), np.array([b]))[0])

    def add(self, a: int, s: int) -> int:
        """Earliest instant t with elapsed(a, t) == s (s > 0); a due exactly at a close is that close."""
        return int(self.add_many(np.array([a]), np.array([s]))[0])

    def is_open(self, t: int) -> bool:
        return bool(self.is_open_many(np.array([t]))[0])

    def next_open(self, t: int) -> int:
        """t itself when open, else the next instant the calendar opens."""
        if self.is_open(t):
            return t
        table = self._ensure(t, t)
        while True:
            idx = int(np.searchsorted(table.opens, t, side="right"))
            if idx < table.opens.size:
                return int(table.opens[idx])
            if table.end - t > _MAX_EMPTY_YEARS * 366 * DAY:
                raise CalendarError("the calendar has no open hours in the years ahead")
            table = self._ensure(t, table.end + 366 * DAY)

    def open_intervals(self, a: int, b: int) -> list[tuple[int, int]]:
        """Merged open intervals clipped to [a, b), in UTC seconds."""
        if b <= a:
            return []
        if self.spec.always:
            return [(a, b)]
        table = self._ensure(a, b)
        lo = max(int(np.searchsorted(table.closes, a, side="right")), 0)
        hi = int(np.searchsorted(table.opens, b, side="left"))
        return [
            (max(int(table.opens[i]), a), min(int(table.closes[i]), b))
            for i in range(lo, hi)
            if min(int(table.closes[i]), b) > max(int(table.opens[i]), a)
        ]


def _nonnegative(values: I64) -> I64:
    values[values < 0] = 0
    return values


def _cum_at(opens: I64, closes: I64, cum_open: I64, t: I64) -> I64:
    if opens.size == 0:
        return np.zeros(t.shape, dtype=np.int64)
    idx = np.searchsorted(opens, t, side="right") - 1
    safe = np.maximum(idx, 0)
    inside = np.minimum(t, closes[safe]) - opens[safe]
    return np.where(idx >= 0, cum_open[safe] + inside, cum_open[0])


ALWAYS = CalendarSpec(timezone="UTC", always=True)
