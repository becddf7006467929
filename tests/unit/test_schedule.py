"""The weekly scorecard schedule fires once per week, after its time, covering last week."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slaapp.reports.schedule import WeeklySchedule, covered_week, due_at, is_due

NY = ZoneInfo("America/New_York")


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=NY).timestamp())


SCHEDULE = WeeklySchedule(
    weekday=0, at="08:00", timezone="America/New_York", recipients=("vp@acme.test",)
)


def test_due_after_the_weekly_time_and_not_again_once_sent():
    assert due_at(SCHEDULE, at("2026-11-30T07:59")) == at("2026-11-23T08:00")
    assert due_at(SCHEDULE, at("2026-11-30T08:00")) == at("2026-11-30T08:00")
    assert is_due(SCHEDULE, at("2026-11-30T07:59"))  # never sent: the last scheduled run is owed
    sent = replace(SCHEDULE, last_sent=at("2026-11-23T08:01"))
    assert not is_due(sent, at("2026-11-30T07:59"))
    assert is_due(sent, at("2026-11-30T08:00"))
    assert is_due(sent, at("2026-12-02T15:00"))  # the app was closed on Monday: send when it runs
    again = replace(sent, last_sent=at("2026-11-30T08:00"))
    assert not is_due(again, at("2026-12-06T23:59"))


def test_disabled_or_without_recipients_is_never_due():
    assert not is_due(WeeklySchedule(recipients=()), at("2026-11-30T09:00"))
    assert not is_due(WeeklySchedule(recipients=("a@b.c",), enabled=False), at("2026-11-30T09:00"))


def test_covers_the_full_week_before_the_run_across_dst():
    assert covered_week(SCHEDULE, at("2026-11-30T09:00")) == (
        date(2026, 11, 23),
        date(2026, 11, 29),
    )
    friday = WeeklySchedule(
        weekday=4, at="17:30", timezone="America/New_York", recipients=("a@b.c",)
    )
    assert due_at(friday, at("2026-11-02T10:00")) == at("2026-10-30T17:30")  # DST ended on 1 Nov
    assert covered_week(friday, at("2026-11-02T10:00")) == (date(2026, 10, 19), date(2026, 10, 25))


def test_round_trips_as_a_setting():
    value = WeeklySchedule(
        weekday=2, at="06:45", recipients=("a@b.c", "d@e.f"), team="SDR", last_sent=5
    )
    assert WeeklySchedule.from_dict(value.to_dict()) == value
    assert value.describe() == "every Wednesday at 06:45 (America/New_York) to a@b.c, d@e.f"
