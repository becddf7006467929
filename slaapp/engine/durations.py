"""SLA durations: `90m`, `2h`, `1h30m`, `14d`, `3bd` or plain seconds, and their readable form."""

from __future__ import annotations

import math
import re

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
        seconds = round(value)
    elif isinstance(value, str):
        seconds = _parse_text(value, business_day_seconds)
    else:
        raise DurationError(f"not a duration ({HINT})")
    if seconds <= 0:
        raise DurationError("must be longer than zero")
    return seconds


def _parse_text(text: str, business_day_seconds: int) -> int:
    raw = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        return round(float(raw))
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
    return round(total)


def describe_duration(seconds: int) -> str:
    """Short readable text: `2 h`, `1 h 30 min`, `3 d 4 h`, `45 s`."""
    sign = "-" if seconds < 0 else ""
    left = abs(int(seconds))
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        amount, left = divmod(left, size)
        if amount:
            parts.append(f"{amount} {unit}")
    if not parts:
        return "0 s"
    return sign + " ".join(parts[:2])
