"""Instants in one display zone, always named: the user's choice, else the matrix's business zone."""

from __future__ import annotations

from datetime import UTC, datetime

from slaapp.engine.display_time import (
    is_zone,
    resolve_zone,
    show_clock_time,
    show_instant,
    zone_words,
)

AT = int(datetime(2026, 10, 15, 18, 0, tzinfo=UTC).timestamp())


def test_instants_on_the_wall_clock_of_the_zone() -> None:
    assert show_instant(AT, "UTC") == "Thu 15 Oct 18:00"
    assert show_instant(AT, "America/New_York") == "Thu 15 Oct 14:00"
    assert show_instant(AT, "Europe/Berlin", year=True) == "Thu 15 Oct 2026 20:00"
    assert show_clock_time(AT, "America/New_York") == "14:00 New York time"


def test_zone_names_in_words() -> None:
    assert zone_words("America/New_York") == "New York time"
    assert zone_words("America/Argentina/Buenos_Aires") == "Buenos Aires time"
    assert zone_words("UTC") == "UTC"


def test_the_choice_wins_then_the_business_zone_then_utc() -> None:
    assert resolve_zone("Europe/Paris", "America/New_York") == "Europe/Paris"
    assert resolve_zone("", "America/New_York") == "America/New_York"
    assert resolve_zone("Mars/Olympus", "America/New_York") == "America/New_York"
    assert resolve_zone(None, None) == "UTC"
    assert not is_zone("") and not is_zone(" UTC") and is_zone("Asia/Tokyo")
