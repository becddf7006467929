"""Which terms a rule's durations are said in: its calendar's business days, or 24-hour days."""

from __future__ import annotations

from slaapp.engine.calendar import CalendarSpec
from slaapp.engine.durations import CLOCK_TIME, TimeTerms, business_time
from slaapp.engine.matrix import DEFAULT_SEGMENT, Matrix


def calendar_terms(spec: CalendarSpec | None) -> TimeTerms:
    """24x7 calendars (or none known) in days of 24 h, others in their business days."""
    if spec is None or spec.always:
        return CLOCK_TIME
    return business_time(spec.hours_per_day)


def rule_terms(matrix: Matrix | None, handoff: str, segment: str) -> TimeTerms:
    """The terms of the rule a clock of `handoff` in `segment` is judged by (default rule if none)."""
    if matrix is None:
        return CLOCK_TIME
    try:
        found = matrix.handoff(handoff)
    except KeyError:
        return CLOCK_TIME
    key = segment if segment in found.rules else DEFAULT_SEGMENT
    if key not in found.rules:
        return calendar_terms(matrix.calendars.get(found.calendar))
    return calendar_terms(matrix.calendars.get(found.rule_calendar(key)))
