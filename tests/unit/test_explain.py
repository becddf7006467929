"""Due-time explanations in plain words, in the calendar's own time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from slaapp.engine.calendar import Calendar, CalendarSpec, HolidayPreset
from slaapp.engine.explain import explain_due

NY = "America/New_York"
H = 3600
OFFICE = Calendar(
    CalendarSpec(
        NY,
        hours={d: ((9 * H, 17 * H),) for d in range(5)},
        holiday_preset=HolidayPreset("US"),
        overrides={date(2025, 12, 31): ((9 * H, 13 * H),)},
    )
)


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(NY)).timestamp())


def test_start_outside_hours_holiday_pause_and_due():
    text = explain_due(
        OFFICE, at("2025-12-19T18:05"), at("2025-12-29T10:30"), paused_seconds=45 * 60
    )
    assert text == (
        "started Fri 19 Dec 18:05 outside hours (opens Mon 22 Dec 09:00); "
        "Thu 25 Dec holiday (Christmas Day); paused 45 min; due Mon 29 Dec 10:30"
    )


def test_short_days_and_plain_start_within_a_week():
    text = explain_due(OFFICE, at("2025-12-30T15:00"), at("2026-01-02T10:00"))
    assert text == (
        "started Tue 15:00; Wed 31 Dec 09:00-13:00 only; Thu 01 Jan holiday (New Year's Day); due Fri 10:00"
    )


def test_paused_clock_has_no_due_time_and_24x7_has_no_hours_to_explain():
    assert explain_due(OFFICE, at("2026-01-05T10:00"), None, 600) == (
        "started Mon 10:00; paused 10 min; no due time while paused"
    )
    always = Calendar(CalendarSpec("UTC", always=True))
    assert explain_due(always, 0, 4 * H) == "started Thu 00:00; due Thu 04:00"


def test_explanation_agrees_with_the_calendar():
    start = at("2025-12-19T18:05")
    assert explain_due(OFFICE, start, OFFICE.add(start, 20 * H)).endswith("due Wed 13:00")
    # Mon-Wed 24 h, Thursday is Christmas, Friday 8 h, then one hour on Monday.
    text = explain_due(OFFICE, start, OFFICE.add(start, 33 * H))
    assert text.endswith("Thu 25 Dec holiday (Christmas Day); due Mon 29 Dec 10:00")
