"""Plain-words explanation of a due time: when it started, the days off on the way, pauses, due."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from slaapp.engine.calendar import Calendar
from slaapp.engine.duration_terms import calendar_terms
from slaapp.engine.durations import describe_duration

_MAX_DAYS_LISTED = 6


def _when(calendar: Calendar, epoch: int, with_date: bool, zone: str | None = None) -> str:
    moment = datetime.fromtimestamp(epoch, ZoneInfo(zone) if zone else calendar.zone)
    return moment.strftime("%a %d %b %H:%M" if with_date else "%a %H:%M")


def _span(intervals: tuple[tuple[int, int], ...]) -> str:
    return ", ".join(
        f"{s // 3600:02d}:{s % 3600 // 60:02d}-{e // 3600:02d}:{e % 3600 // 60:02d}"
        for s, e in intervals
    )


def _days_off(calendar: Calendar, first: date, last: date) -> list[str]:
    """Holidays and short days between two local dates that would otherwise be working days."""
    found: list[str] = []
    day = first
    while day <= last:
        usual = calendar.spec.hours.get(day.weekday(), ())
        if usual and not calendar.spec.always:
            label = day.strftime("%a %d %b")
            override = calendar.spec.overrides.get(day)
            name = calendar.holiday_name(day)
            if override is not None:
                found.append(f"{label} {_span(override)} only" if override else f"{label} closed")
            elif name is not None:
                found.append(f"{label} holiday" + (f" ({name})" if name != "Holiday" else ""))
        day += timedelta(days=1)
    if len(found) > _MAX_DAYS_LISTED:
        found = [*found[:_MAX_DAYS_LISTED], f"{len(found) - _MAX_DAYS_LISTED} more days off"]
    return found


def explain_due(
    calendar: Calendar,
    started: int,
    due: int | None,
    paused_seconds: int = 0,
    zone: str | None = None,
) -> str:
    """E.g. "started Fri 18:05 outside hours; Thu 25 Dec holiday; paused 45 min; due Mon 10:30".

    Times are in `zone` (default: the calendar's zone); dates are shown when the clock spans
    more than a week.
    """
    end = due if due is not None else started
    long = end - started > 6 * 86400
    parts = [f"started {_when(calendar, started, long, zone)}"]
    if not calendar.is_open(started):
        parts[0] += (
            f" outside hours (opens {_when(calendar, calendar.next_open(started), long, zone)})"
        )
    if due is not None:
        parts += _days_off(calendar, calendar.local_date(started), calendar.local_date(due))
    if paused_seconds > 0:
        parts.append(f"paused {describe_duration(paused_seconds, calendar_terms(calendar.spec))}")
    parts.append(
        f"due {_when(calendar, due, long, zone)}" if due is not None else "no due time while paused"
    )
    return "; ".join(parts)
