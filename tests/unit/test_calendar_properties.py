"""Property tests: the breakpoint table agrees with a plain day walk on random calendars."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaapp.engine import daywalk
from slaapp.engine.calendar import Calendar, CalendarSpec, HolidayPreset, merge_intervals

ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "UTC",
    "America/Sao_Paulo",
]
BASE = date(2026, 1, 1)
EPOCH_2026 = 1767225600  # 2026-01-01T00:00:00Z
SPAN = 400 * 86400

interval = st.tuples(st.integers(0, 47), st.integers(1, 48)).map(
    lambda p: (
        (min(p) * 1800, max(p[0] + 1, p[1]) * 1800)
        if p[0] != p[1]
        else (p[0] * 1800, p[0] * 1800 + 1800)
    )
)
day_hours = st.lists(interval, max_size=3).map(
    lambda spans: tuple(sorted((s, min(e, 86400)) for s, e in spans if min(e, 86400) > s))
)


@st.composite
def calendars(draw):
    hours = {d: draw(day_hours) for d in range(7)}
    if not any(hours.values()):
        hours[0] = ((9 * 3600, 17 * 3600),)
    hours = {d: merge_intervals(list(v)) for d, v in hours.items() if v}
    holidays = {
        BASE + timedelta(days=n): "h" for n in draw(st.lists(st.integers(0, 400), max_size=8))
    }
    overrides = {
        BASE + timedelta(days=n): merge_intervals(list(v))
        for n, v in draw(st.dictionaries(st.integers(0, 400), day_hours, max_size=4)).items()
    }
    preset = draw(st.sampled_from([None, HolidayPreset("US"), HolidayPreset("DE", "BY")]))
    return Calendar(
        CalendarSpec(
            draw(st.sampled_from(ZONES)),
            hours=hours,
            holidays=holidays,
            overrides=overrides,
            holiday_preset=preset,
        )
    )


instants = st.integers(EPOCH_2026 - 86400, EPOCH_2026 + SPAN)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendars(), st.lists(st.tuples(instants, st.integers(0, 20 * 86400)), min_size=1, max_size=12)
)
def test_elapsed_matches_day_walk(cal, pairs):
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = a + np.array([p[1] for p in pairs], dtype=np.int64)
    fast = cal.elapsed_many(a, b)
    assert list(fast) == [daywalk.elapsed(cal, int(x), int(y)) for x, y in zip(a, b)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendars(), st.lists(st.tuples(instants, st.integers(1, 60 * 3600)), min_size=1, max_size=12)
)
def test_add_matches_day_walk_and_inverts_elapsed(cal, pairs):
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    s = np.array([p[1] for p in pairs], dtype=np.int64)
    due = cal.add_many(a, s)
    assert list(due) == [daywalk.add(cal, int(x), int(y)) for x, y in zip(a, s)]
    assert list(cal.elapsed_many(a, due)) == list(s)
    # Earliest: one second earlier the target is not yet used up.
    assert all(cal.elapsed(int(x), int(d) - 1) < int(y) for x, d, y in zip(a, due, s))


@settings(max_examples=40, deadline=None)
@given(calendars(), st.lists(instants, min_size=1, max_size=20))
def test_is_open_matches_one_second_of_elapsed(cal, points):
    t = np.array(points, dtype=np.int64)
    assert list(cal.is_open_many(t)) == [daywalk.elapsed(cal, int(x), int(x) + 1) == 1 for x in t]
