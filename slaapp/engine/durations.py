"""SLA durations: `90m`, `2h`, `1h30m`, `14d`, `3bd` or plain seconds, and their readable form."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from slaapp.engine.errors import UserError

_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(bd|d|h|m|s)\s*", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
DurationValue = int | float | str

HINT = "use seconds or text like 90m, 2h, 1h30m, 14d, 3bd"


class DurationError(UserError, ValueError):
    """A duration that cannot be read."""


def parse_duration(value: object, business_day_seconds: int = 8 * 3600) -> int:
    """Whole seconds of a duration; `bd` counts business days of `business_day_seconds`."""
    if isinstance(value, bool) or value is None:
        raise DurationError(f"not a duration ({HINT})")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise DurationError(f"not a duration ({HINT})")
        seconds = round(value) if abs(value) <= 2 * MAX_SECONDS else 2 * MAX_SECONDS
    elif isinstance(value, str):
        seconds = _parse_text(value, business_day_seconds)
    else:
        raise DurationError(f"not a duration ({HINT})")
    if seconds <= 0:
        raise DurationError("must be longer than zero")
    if seconds > MAX_SECONDS:
        raise DurationError("is longer than 10 years, the longest target this program accepts")
    return seconds


MAX_SECONDS = 10 * 365 * 86400
"""The longest duration accepted: anything longer is a typing mistake that would run for hours."""


def _parse_text(text: str, business_day_seconds: int) -> int:
    raw = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        return round(min(float(raw), 2.0 * MAX_SECONDS))
    total = 0.0
    pos = 0
    for match in _TOKEN.finditer(raw):
        if match.start() != pos:
            break
        amount, unit = float(match.group(1)), match.group(2).lower()
        total += amount * (business_day_seconds if unit == "bd" else _UNIT_SECONDS[unit])
        pos = match.end()
    if pos != len(raw) or not raw:
        raise DurationError(f"{text!r} is not a duration ({HINT})")
    return round(min(total, 2.0 * MAX_SECONDS))


def whole_days(value: object) -> int:
    """Whole days in a text target's `d` parts (`14d` -> 14, `1d12h` -> 1, `2h` or 90 -> 0)."""
    if not isinstance(value, str):
        return 0
    days = sum(float(m.group(1)) for m in _TOKEN.finditer(value) if m.group(2).lower() == "d")
    return math.floor(days)


@dataclass(frozen=True)
class TimeTerms:
    """How one rule's durations are said: business days of `day_seconds`, or 24-hour days."""

    day_seconds: int = 86400
    business: bool = False

    @property
    def day_word(self) -> str:
        return "business day" if self.business else "day"


CLOCK_TIME = TimeTerms()
"""24x7 rules: hours and days of 24 hours."""

HOURS_ONLY = TimeTerms(day_seconds=2**62, business=True)
"""Figures over rules of different calendars (medians, totals): business hours, never days."""


def business_time(hours_per_day: float = 8.0) -> TimeTerms:
    """Terms of a calendar with opening hours: a business day is `hours_per_day` hours."""
    return TimeTerms(max(1, round(hours_per_day * 3600)), True)


def describe_duration(seconds: float, terms: TimeTerms = CLOCK_TIME) -> str:
    """The one duration formatter: `2 h`, `1 h 30 min`, `3 business days`, `1 day 6 h`, `45 s`.

    Business-hours rules count business days of their calendar, 24x7 rules days of 24 h;
    the two largest parts are shown and seconds only under a minute.
    """
    sign = "-" if seconds < 0 else ""
    left = abs(int(seconds))
    if left < 60:
        return f"{sign}{left} s"
    parts: list[str] = []
    days, left = divmod(left, terms.day_seconds)
    if days:
        parts.append(f"{days} {terms.day_word}" + ("" if days == 1 else "s"))
    hours, left = divmod(left, 3600)
    if hours:
        parts.append(f"{hours} h")
    minutes = left // 60
    if minutes:
        parts.append(f"{minutes} min")
    return sign + " ".join(parts[:2])


def describe_remaining(seconds: float, terms: TimeTerms = CLOCK_TIME) -> str:
    """Time left, or `late by 1 business day 2 h` once the target has passed."""
    if seconds < 0:
        return f"late by {describe_duration(-seconds, terms)}"
    return describe_duration(seconds, terms)


def describe_share(share: float) -> str:
    """A share of the target always as a percentage: `75%`, `946%`; `–` when unknown."""
    if not math.isfinite(share):
        return "–"
    return f"{share:.0%}"
