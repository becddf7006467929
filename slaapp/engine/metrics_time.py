"""Metrics over wall-clock time in a display zone: adherence per day or week, breaches per weekday and hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from slaapp.engine.metrics import I64, ClockColumns, GroupStats, Members, aggregate, members

DAY = 86400
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
STEPS = ("day", "week")


def _offset(zone: ZoneInfo, instant: int) -> int:
    moment = datetime.fromtimestamp(instant, UTC).astimezone(zone)
    delta = moment.utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def offset_changes(zone: ZoneInfo, first: int, last: int) -> tuple[I64, I64]:
    """The zone's UTC offset over [first, last]: instants where it changes and the offset from each.

    Offsets are sampled once a day and each change is found to the second by bisection, so a
    year costs a few hundred zone look-ups however many instants are converted.
    """
    at, offsets = [first], [_offset(zone, first)]
    previous = first
    for sample in range(first + DAY, last + DAY, DAY):
        sample = min(sample, last)
        value = _offset(zone, sample)
        if value != offsets[-1]:
            low, high = previous, sample  # offset(low) is the old one, offset(high) the new
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, middle) == offsets[-1]:
                    low = middle
                else:
                    high = middle
            at.append(high)
            offsets.append(value)
        previous = sample
        if sample == last:
            break
    return np.array(at, dtype=np.int64), np.array(offsets, dtype=np.int64)


def local_seconds(instants: I64, zone: str) -> I64:
    """Local wall-clock time in `zone` of each instant, as seconds since 1970-01-01 local (DST-correct)."""
    if instants.size == 0:
        return instants.copy()
    at, offsets = offset_changes(ZoneInfo(zone), int(instants.min()), int(instants.max()))
    which = np.searchsorted(at, instants, side="right") - 1
    local: I64 = instants + offsets[np.maximum(which, 0)]
    return local


def bucket_bounds(start: int, end: int, zone: str, step: str) -> tuple[I64, tuple[str, ...]]:
    """Local midnights (days) or Monday midnights (weeks) covering [start, end), and their labels."""
    if step not in STEPS:
        raise ValueError(f"cannot bucket by {step!r} (use {' or '.join(STEPS)})")
    tz = ZoneInfo(zone)
    first: date = datetime.fromtimestamp(start, tz).date()
    if step == "week":
        first -= timedelta(days=first.weekday())
    stride = timedelta(days=7 if step == "week" else 1)
    bounds: list[int] = []
    labels: list[str] = []
    day = first
    while True:
        instant = int(datetime.combine(day, datetime.min.time(), tz).timestamp())
        bounds.append(instant)
        if instant >= end:
            break
        labels.append(day.isoformat())
        day += stride
    return np.array(bounds, dtype=np.int64), tuple(labels)


@dataclass(frozen=True, eq=False)
class AdherenceSeries:
    """Adherence per bucket (day or week) for every handoff and for all handoffs together.

    `by_handoff` groups the code `handoff * len(buckets) + bucket`; `total` groups the bucket.
    """

    step: str
    bounds: I64
    buckets: tuple[str, ...]
    handoffs: tuple[str, ...]
    by_handoff: GroupStats
    total: GroupStats

    def handoff_group(self, handoff: int, bucket: int) -> int:
        return handoff * len(self.buckets) + bucket


def adherence_over_time(
    columns: ClockColumns,
    handoff: I64,
    handoffs: tuple[str, ...],
    *,
    start: int,
    end: int,
    zone: str,
    step: str = "day",
    local: I64 | None = None,
) -> AdherenceSeries:
    """Adherence of the clocks started in each local day or week of [start, end).

    `local` is `local_seconds(columns.started_at, zone)` when the caller has it already.
    """
    bounds, buckets = bucket_bounds(start, end, zone, step)
    local = local_seconds(columns.started_at, zone) if local is None else local
    first_day = int(local_seconds(bounds[:1], zone)[0]) // DAY  # bounds are local midnights
    days = np.floor_divide(local, DAY) - first_day
    bucket = days // 7 if step == "week" else days
    inside = (
        (bucket >= 0)
        & (bucket < len(buckets))
        & (columns.started_at >= start)
        & (columns.started_at < end)
    )
    bucket = np.where(inside, bucket, -1).astype(np.int64)
    combined = np.where(inside & (handoff >= 0), handoff * len(buckets) + bucket, -1)
    labels = [f"{h} {b}" for h in handoffs for b in buckets]
    return AdherenceSeries(
        step,
        bounds,
        buckets,
        handoffs,
        aggregate(columns, combined.astype(np.int64), labels, responses=False),
        aggregate(columns, bucket, list(buckets), responses=False),
    )


@dataclass(frozen=True, eq=False)
class BreachHeat:
    """Clocks and breaches by the local weekday (rows, Monday first) and hour (columns) of their start.

    `members` lists the breached or missed clocks of each cell `weekday * 24 + hour`.
    """

    zone: str
    clocks: I64  # shape (7, 24)
    breaches: I64  # shape (7, 24)
    members: Members

    def breach_rate(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.clocks > 0, self.breaches / np.maximum(self.clocks, 1), np.nan)


def weekday_hour(local: I64) -> tuple[I64, I64]:
    """Weekday (Monday 0) and hour of local wall-clock seconds (see `local_seconds`)."""
    days = np.floor_divide(local, DAY)
    weekday: I64 = (days + 3) % 7  # 1970-01-01 was a Thursday
    hour: I64 = (local - days * DAY) // 3600
    return weekday, hour


def breach_heat(columns: ClockColumns, zone: str, local: I64 | None = None) -> BreachHeat:
    """Where breaches start in the week, in the display zone's wall-clock time."""
    local = local_seconds(columns.started_at, zone) if local is None else local
    weekday, hour = weekday_hour(local)
    cell = weekday * 24 + hour
    late = columns.late
    clocks = np.bincount(cell, minlength=168).reshape(7, 24).astype(np.int64)
    breaches = np.bincount(cell[late], minlength=168).reshape(7, 24).astype(np.int64)
    return BreachHeat(zone, clocks, breaches, members(np.where(late, cell, -1), 168))
