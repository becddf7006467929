"""The scorecard's trend: adherence per handoff over the whole period, weekly or monthly."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import ClockTable
from slaapp.reports.figures import adherence_of, late_mask
from slaapp.reports.periods import day_bounds, local_day
from slaapp.reports.scorecard import TrendPoint

WEEKLY_UP_TO_DAYS = 2 * 366
"""Periods up to two years are shown week by week, longer ones month by month."""


def trend_step(start: int, end: int, zone: str) -> str:
    """`week` for periods up to two years, else `month`."""
    days = (local_day(max(start, end - 1), zone) - local_day(start, zone)).days + 1
    return "week" if days <= WEEKLY_UP_TO_DAYS else "month"


def buckets(start: int, end: int, zone: str, step: str) -> list[date]:
    """The first day of every week (Monday) or month touching [start, end), in order."""
    first, last = local_day(start, zone), local_day(max(start, end - 1), zone)
    if step == "week":
        day = first - timedelta(days=first.weekday())
        found = []
        while day <= last:
            found.append(day)
            day += timedelta(weeks=1)
        return found
    month = first.replace(day=1)
    found = []
    while month <= last:
        found.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def trend(
    clocks: ClockTable,
    scope: npt.NDArray[np.bool_],
    start: int,
    end: int,
    zone: str,
    handoff_names: list[str],
) -> tuple[str, list[TrendPoint]]:
    """The step and the points of every bucket of the period (clocks started in the period)."""
    step = trend_step(start, end, zone)
    firsts = buckets(start, end, zone, step)
    edges = [day_bounds(day, day, zone)[0] for day in firsts]
    bounds = [max(start, edge) for edge in edges] + [end]
    bounds[0] = start
    late = late_mask(clocks)
    points = []
    for i, first in enumerate(firsts):
        inside = scope & (clocks.started_at >= bounds[i]) & (clocks.started_at < bounds[i + 1])
        for code, name in enumerate(handoff_names):
            rows = np.flatnonzero(inside & (clocks.handoff == code))
            points.append(
                TrendPoint(
                    first.isoformat(),
                    name,
                    int(rows.size),
                    adherence_of(clocks.status[rows]),
                    int(late[rows].sum()),
                )
            )
    return step, points
