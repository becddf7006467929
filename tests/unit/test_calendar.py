"""Business calendars: the exact semantics of DESIGN.md section 3."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slaapp.engine import daywalk
from slaapp.engine.calendar import Calendar, CalendarError, CalendarSpec, HolidayPreset

H = 3600
WEEKDAYS = range(5)


def at(text: str, tz: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp())


def office(tz: str, *spans: tuple[int, int], days=WEEKDAYS, **extra) -> Calendar:
    intervals = spans or ((9 * H, 17 * H),)
    return Calendar(CalendarSpec(tz, hours={d: tuple(intervals) for d in days}, **extra))


NY = "America/New_York"
BERLIN = "Europe/Berlin"


def test_elapsed_counts_only_open_seconds_and_is_zero_when_reversed():
    cal = office(NY)
    mon8, tue10 = at("2026-01-05T08:00", NY), at("2026-01-06T10:00", NY)
    assert cal.elapsed(mon8, tue10) == 9 * H
    assert cal.elapsed(tue10, mon8) == 0
    assert cal.elapsed(mon8, mon8) == 0


def test_target_used_up_exactly_at_closing_time_is_due_at_that_closing_time():
    cal = office(NY)
    due = cal.add(at("2026-01-05T15:00", NY), 2 * H)
    assert due == at("2026-01-05T17:00", NY)
    assert cal.add(at("2026-01-05T15:00", NY), 2 * H + 1) == at("2026-01-06T09:00", NY) + 1


def test_add_from_closed_time_starts_at_next_opening():
    cal = office(NY)
    fri_evening = at("2026-01-09T18:05", NY)
    assert cal.add(fri_evening, 90 * 60) == at("2026-01-12T10:30", NY)
    assert cal.next_open(fri_evening) == at("2026-01-12T09:00", NY)
    assert cal.next_open(at("2026-01-12T09:30", NY)) == at("2026-01-12T09:30", NY)


def test_open_intervals_are_half_open():
    cal = office(NY)
    assert cal.is_open(at("2026-01-05T09:00", NY))
    assert not cal.is_open(at("2026-01-05T17:00", NY))
    assert not cal.is_open(at("2026-01-05T08:59:59", NY))


@pytest.mark.parametrize(
    ("day", "hours"),
    [("2026-03-08", 23), ("2026-11-01", 25), ("2026-03-07", 24)],
)
def test_whole_days_last_real_elapsed_time_across_new_york_dst(day, hours):
    cal = office(NY, (0, 24 * H), days=range(7))
    start = at(f"{day}T00:00", NY)
    nxt = date.fromisoformat(day).toordinal() + 1
    end = at(f"{date.fromordinal(nxt).isoformat()}T00:00", NY)
    assert cal.elapsed(start, end) == hours * H
    assert end - start == hours * H


def test_business_hours_on_new_york_dst_days():
    cal = office(NY, (0, 4 * H))
    # 2026-03-09 is the Monday after the spring change; Sunday 2026-03-08 is closed.
    assert cal.elapsed(at("2026-03-06T00:00", NY), at("2026-03-10T00:00", NY)) == 8 * H
    # A day open 00:00-04:00 on the spring-forward day loses an hour.
    sunday = office(NY, (0, 4 * H), days=[6])
    assert sunday.elapsed(at("2026-03-08T00:00", NY), at("2026-03-08T12:00", NY)) == 3 * H
    # ... and gains one on the fall-back day.
    assert sunday.elapsed(at("2026-11-01T00:00", NY), at("2026-11-01T12:00", NY)) == 5 * H


def test_dst_gap_wall_time_resolves_as_zoneinfo_fold0():
    # 02:30 does not exist on 2026-03-08 in New York; zoneinfo with fold=0 reads it as 03:30 EDT.
    cal = office(NY, (2 * H + 1800, 6 * H), days=[6])
    opening = int(datetime(2026, 3, 8, 2, 30, tzinfo=ZoneInfo(NY)).timestamp())
    assert cal.next_open(at("2026-03-08T00:00", NY)) == opening
    assert opening == at("2026-03-08T03:30", NY)
    closing = at("2026-03-08T06:00", NY)
    assert cal.elapsed(at("2026-03-08T00:00", NY), at("2026-03-09T00:00", NY)) == closing - opening
    assert closing - opening == 2 * H + 1800


def test_berlin_dst_both_directions():
    cal = office(BERLIN, (0, 24 * H), days=range(7))
    assert cal.elapsed(at("2026-03-29T00:00", BERLIN), at("2026-03-30T00:00", BERLIN)) == 23 * H
    assert cal.elapsed(at("2026-10-25T00:00", BERLIN), at("2026-10-26T00:00", BERLIN)) == 25 * H
    # A business day on either side is unaffected: 8 hours each.
    work = office(BERLIN)
    assert work.elapsed(at("2026-03-27T00:00", BERLIN), at("2026-03-31T00:00", BERLIN)) == 16 * H
    assert work.add(at("2026-03-27T16:00", BERLIN), 2 * H) == at("2026-03-30T10:00", BERLIN)


def test_half_hour_zone_kolkata():
    cal = office("Asia/Kolkata", (9 * H + 1800, 18 * H))
    start = at("2026-02-02T09:30", "Asia/Kolkata")
    assert start % 3600 == 0  # 09:30 IST is 04:00 UTC
    assert cal.add(start, int(8.5 * H)) == at("2026-02-02T18:00", "Asia/Kolkata")
    assert cal.add(start, int(8.5 * H) + 60) == at("2026-02-03T09:31", "Asia/Kolkata")


def test_split_days_and_overlapping_intervals_merge():
    cal = office(NY, (9 * H, 12 * H), (13 * H, 17 * H), (11 * H, 12 * H + 1800))
    assert cal.elapsed(at("2026-01-05T00:00", NY), at("2026-01-06T00:00", NY)) == 7 * H + 1800
    assert not cal.is_open(at("2026-01-05T12:45", NY))
    assert cal.add(at("2026-01-05T12:00", NY), 1800) == at("2026-01-05T12:30", NY)
    assert cal.add(at("2026-01-05T12:00", NY), 1801) == at("2026-01-05T13:00:01", NY)


def test_interval_ending_at_midnight_joins_next_day():
    cal = office(NY, (20 * H, 24 * H), (0, 2 * H), days=range(7))
    start = at("2026-01-05T23:00", NY)
    assert cal.add(start, 2 * H) == at("2026-01-06T01:00", NY)
    assert cal.elapsed(start, at("2026-01-06T03:00", NY)) == 3 * H


def test_explicit_holidays_and_presets_close_whole_days():
    explicit = office(
        NY, holidays={date(2026, 12, 24): "Christmas Eve"}, holiday_preset=HolidayPreset("US")
    )
    # Wed 23 Dec 16:00 + 2 h: 1 h on Wednesday, Thursday 24 (explicit), Friday 25 (Christmas), weekend.
    assert explicit.add(at("2026-12-23T16:00", NY), 2 * H) == at("2026-12-28T10:00", NY)
    assert explicit.holiday_name(date(2026, 12, 25)) == "Christmas Day"
    ny_state = office(NY, holiday_preset=HolidayPreset("US", "NY"))
    # Lincoln's Birthday (12 Feb) is a New York state holiday but not a federal one.
    assert ny_state.elapsed(at("2027-02-12T00:00", NY), at("2027-02-13T00:00", NY)) == 0
    federal = office(NY, holiday_preset=HolidayPreset("US"))
    assert federal.elapsed(at("2027-02-12T00:00", NY), at("2027-02-13T00:00", NY)) == 8 * H


def test_presets_work_for_any_year_on_demand():
    cal = office(NY, holiday_preset=HolidayPreset("US"))
    for year in (1995, 2026, 2061):
        xmas = date(year, 12, 25)
        if xmas.weekday() < 5:
            start = at(f"{year}-12-25T00:00", NY)
            assert cal.elapsed(start, start + 24 * H) == 0


def test_override_replaces_weekly_hours_and_holiday():
    cal = office(
        NY,
        holiday_preset=HolidayPreset("US"),
        overrides={
            date(2026, 12, 31): ((9 * H, 13 * H),),
            date(2026, 12, 25): ((10 * H, 11 * H),),
            date(2026, 12, 27): ((9 * H, 10 * H),),
        },
    )
    assert cal.elapsed(at("2026-12-31T00:00", NY), at("2027-01-01T00:00", NY)) == 4 * H
    assert cal.elapsed(at("2026-12-25T00:00", NY), at("2026-12-26T00:00", NY)) == 1 * H
    assert cal.elapsed(at("2026-12-27T00:00", NY), at("2026-12-28T00:00", NY)) == 1 * H


def test_always_is_24x7():
    cal = Calendar(CalendarSpec("UTC", always=True))
    assert cal.elapsed(100, 1000) == 900
    assert cal.add(100, 900) == 1000
    assert cal.is_open(123)


def test_vectorised_matches_scalar_and_empty_arrays():
    cal = office(NY, holiday_preset=HolidayPreset("US"))
    rng = np.random.default_rng(3)
    a = rng.integers(at("2026-01-01T00:00", NY), at("2027-01-01T00:00", NY), 500)
    b = a + rng.integers(0, 30 * 86400, 500)
    s = rng.integers(1, 50 * H, 500)
    assert list(cal.elapsed_many(a, b)) == [cal.elapsed(int(x), int(y)) for x, y in zip(a, b)]
    assert list(cal.add_many(a, s)) == [cal.add(int(x), int(y)) for x, y in zip(a, s)]
    assert cal.elapsed_many(np.zeros(0, np.int64), np.zeros(0, np.int64)).size == 0


def test_table_values_stay_stable_when_it_grows_in_both_directions():
    cal = office(NY, holiday_preset=HolidayPreset("US"))
    start = at("2026-05-04T10:00", NY)
    due = cal.add(start, 30 * H)
    cal.elapsed(at("1990-01-02T10:00", NY), at("1990-01-03T10:00", NY))
    cal.add(at("2080-01-02T10:00", NY), 3 * H)
    assert cal.add(start, 30 * H) == due
    assert cal.elapsed(start, due) == 30 * H


def test_long_targets_reach_years_ahead():
    cal = office(NY)
    start = at("2026-01-05T09:00", NY)
    due = cal.add(start, 8 * H * 261 * 3)
    assert cal.elapsed(start, due) == 8 * H * 261 * 3
    assert due > at("2028-12-01T00:00", NY)


def test_calendar_that_never_opens_says_so():
    cal = Calendar(CalendarSpec(NY, hours={}))
    with pytest.raises(CalendarError, match="no open hours"):
        cal.add(at("2026-01-05T09:00", NY), H)


def test_daywalk_reference_agrees_on_fixed_cases():
    cal = office(NY, (9 * H, 12 * H), (13 * H, 17 * H), holiday_preset=HolidayPreset("US"))
    start = at("2026-12-23T16:00", NY)
    for seconds in (1, H, 2 * H, 7 * H, 40 * H):
        assert cal.add(start, seconds) == daywalk.add(cal, start, seconds)
        assert daywalk.elapsed(cal, start, cal.add(start, seconds)) == seconds
