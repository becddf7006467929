"""businesstimedelta timing each clock of a ClockTable in its handoff's calendar: the CLI's baseline."""

from __future__ import annotations

import time as time_module
from dataclasses import dataclass
from datetime import datetime, time

import businesstimedelta as btd
import numpy as np
import pytz

from benchmarks import quiet_baseline, timed
from slaapp.engine.calendar import Calendar
from slaapp.engine.clocks import ClockTable
from slaapp.engine.matrix import Matrix

H = 3600


@dataclass(frozen=True)
class BaselineRun:
    """businesstimedelta on a sample of clocks: seconds per clock and every disagreement."""

    sample: int
    business: int
    seconds: float
    cpu: float
    problems: tuple[str, ...]

    @property
    def per_clock(self) -> float:
        return self.seconds / self.sample

    @property
    def cpu_per_clock(self) -> float:
        return self.cpu / self.sample


def bt_rules(calendar: Calendar, years: range) -> btd.Rules | None:
    """The calendar as businesstimedelta rules (one WorkDayRule per distinct daily interval,
    its preset and explicit holidays as a HolidayRule); None for an always-open calendar."""
    spec = calendar.spec
    if spec.always:
        return None
    if spec.overrides:
        raise ValueError("calendar overrides have no businesstimedelta equivalent")
    tz = pytz.timezone(spec.timezone)
    days: dict[tuple[int, int], list[int]] = {}
    for weekday, intervals in spec.hours.items():
        for start, end in intervals:
            days.setdefault((start, end), []).append(weekday)
    rules: list[btd.Rule] = [
        btd.WorkDayRule(_clock(start), _clock(end), sorted(weekdays), tz=tz)
        for (start, end), weekdays in sorted(days.items())
    ]
    closed = {
        day for year in years for day in _days_of(year) if calendar.holiday_name(day) is not None
    }
    rules.append(btd.HolidayRule(closed, tz=tz))
    return btd.Rules(rules)


def _clock(seconds: int) -> time:
    return time(seconds // H, seconds % H // 60, seconds % 60)


def _days_of(year: int) -> list[datetime]:
    start = np.datetime64(f"{year}-01-01")
    stop = np.datetime64(f"{year + 1}-01-01")
    return [d.astype(datetime) for d in np.arange(start, stop)]


def time_clocks(matrix: Matrix, table: ClockTable, sample: int, seed: int = 11) -> BaselineRun:
    """businesstimedelta's elapsed business seconds for `sample` random clocks, start to end
    (stop or cancel, else as_of), in the handoff's calendar; plain datetime subtraction on
    always-open calendars. Checked: that minus the clock's paused seconds is its elapsed."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(table), size=min(sample, len(table)), replace=False))
    ends = np.where(table.closed, table.stopped_at, table.as_of)
    first = int(table.started_at.min()) // (365 * 86400) + 1970
    years = range(first - 1, int(ends.max()) // (365 * 86400) + 1972)
    rules: dict[str, btd.Rules | None] = {}

    def rule_of(clock: int) -> btd.Rules | None:
        """The clock's calendar: its rule's, else its handoff's (as the engine picks it)."""
        handoff = matrix.handoff(table.handoff_keys[int(table.handoff[clock])])
        cell = handoff.rules[table.segment_keys[int(table.segment[clock])]]
        key = cell.calendar or handoff.calendar
        if key not in rules:
            rules[key] = bt_rules(matrix.calendar(key), years)
        return rules[key]

    todo = [(rule_of(i), int(table.started_at[i]), int(ends[i])) for i in rows.tolist()]
    utc = pytz.utc

    def run() -> list[int]:
        found = []
        with quiet_baseline():
            for rule, start, end in todo:
                a, b = datetime.fromtimestamp(start, utc), datetime.fromtimestamp(end, utc)
                span = b - a if rule is None else rule.difference(a, b).timedelta
                found.append(int(span.total_seconds()))
        return found

    cpu_start = time_module.process_time()
    seconds, found = timed(run)
    cpu = time_module.process_time() - cpu_start
    problems = [
        f"clock {i}: businesstimedelta {bt} - paused {int(table.paused[i])} != elapsed "
        f"{int(table.elapsed[i])}"
        for i, bt in zip(rows.tolist(), found, strict=True)
        if bt - int(table.paused[i]) != int(table.elapsed[i])
    ]
    business = sum(rule is not None for rule, _, _ in todo)
    return BaselineRun(len(todo), business, seconds, cpu, tuple(problems))
