"""Report periods in users' words: last full week."""

from __future__ import annotations

from datetime import date, timedelta


def last_full_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the week before `today`'s week."""
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)
