"""The one duration formatter: business rules in business days, 24x7 rules in days, shares in %."""

from __future__ import annotations

import pytest

from slaapp.engine.calendar import CalendarSpec
from slaapp.engine.duration_terms import calendar_terms
from slaapp.engine.durations import (
    CLOCK_TIME,
    HOURS_ONLY,
    business_time,
    describe_duration,
    describe_remaining,
    describe_share,
)
from slaapp.engine.matrix_draft import describe_target, draft_terms

H = 3600
BUSINESS = business_time(8)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (3 * 8 * H, "3 business days"),
        (5 * 8 * H, "5 business days"),
        (90 * H, "11 business days 2 h"),
        (8 * H, "1 business day"),
        (7 * H + 30 * 60, "7 h 30 min"),
        (45, "45 s"),
    ],
)
def test_business_rules_count_business_days(seconds: int, text: str) -> None:
    assert describe_duration(seconds, BUSINESS) == text


def test_business_day_follows_hours_per_day() -> None:
    assert describe_duration(3 * 10 * H, business_time(10)) == "3 business days"
    assert describe_duration(3 * 10 * H, BUSINESS) == "3 business days 6 h"


def test_24x7_rules_count_days_of_24_hours() -> None:
    assert describe_duration(30 * H) == "1 day 6 h"
    assert describe_duration(14 * 24 * H, CLOCK_TIME) == "14 days"


def test_seconds_only_under_a_minute() -> None:
    assert describe_duration(19 * H + 6) == "19 h"
    assert describe_duration(59) == "59 s"
    assert describe_duration(61) == "1 min"


def test_late_in_rule_terms() -> None:
    assert describe_remaining(-(8 * H + 2 * H), BUSINESS) == "late by 1 business day 2 h"
    assert describe_remaining(31 * 8 * H, BUSINESS) == "31 business days"
    assert describe_remaining(-26 * H) == "late by 1 day 2 h"


def test_share_always_a_percentage() -> None:
    assert describe_share(9.46) == "946%"
    assert describe_share(11.0) == "1100%"
    assert describe_share(0.5) == "50%"
    assert describe_share(float("nan")) == "–"


def test_hours_only_never_says_days() -> None:
    assert describe_duration(30 * H, HOURS_ONLY) == "30 h"


def test_calendar_terms() -> None:
    assert calendar_terms(CalendarSpec(always=True)) == CLOCK_TIME
    assert calendar_terms(CalendarSpec(hours_per_day=7.5)) == business_time(7.5)
    assert calendar_terms(None) == CLOCK_TIME


def test_matrix_targets_in_their_calendar() -> None:
    business = draft_terms({"timezone": "UTC", "hours": {}, "hours_per_day": 8})
    assert describe_target("3bd", business) == "3 business days"
    assert describe_target("90h", business) == "11 business days 2 h"
    assert describe_target("14d", draft_terms({"always": True})) == "14 days"
    assert describe_target("2x", business) == "2x"
