"""Dates in CRM exports: ISO 8601, US and European formats, explicit strptime formats."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from slaapp.importers.event_file import (
    cell_text,
)

# --- dates -------------------------------------------------------------------------------

SAMPLE_TIME = datetime(2026, 3, 2, 14, 5, 6, tzinfo=UTC)
"""A known instant, to show what a date format looks like."""


class DateError(Exception):
    """A date cell that cannot be read; the message is for the user."""


class NoZoneError(Exception):
    """A time without an offset, and no zone to read it in."""


_NUMERIC = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?:(?:,\s*|\s+|T)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d{1,9})?)?"
    r"(?:\s*(?P<p>[AaPp])\.?[Mm]\.?)?)?"
    r"(?:\s*(?P<z>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?"
)

_FORMAT_PARTS: dict[str, str] = {
    # The patterns of time.strptime (C locale), so a compiled format reads what it reads.
    "Y": r"(\d\d\d\d)",
    "y": r"(\d\d)",
    "m": r"(1[0-2]|0[1-9]|[1-9])",
    "d": r"(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])",
    "H": r"(2[0-3]|[0-1]\d|\d)",
    "I": r"(1[0-2]|0[1-9]|[1-9])",
    "M": r"([0-5]\d|\d)",
    "S": r"(6[0-1]|[0-5]\d|\d)",
    "f": r"([0-9]{1,6})",
    "p": r"(am|pm)",
    "z": r"([+-]\d\d:?[0-5]\d|Z)",
}


def _compile_format(fmt: str) -> Callable[[str], datetime]:
    """A fast reader of texts in strptime format `fmt`: a regular expression for the
    common numeric directives, datetime.strptime for anything else."""
    pattern: list[str] = []
    fields: list[str] = []
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%" and i + 1 < len(fmt):
            directive = fmt[i + 1]
            i += 2
            if directive == "%":
                pattern.append("%")
            elif directive in _FORMAT_PARTS and directive not in fields:
                pattern.append(_FORMAT_PARTS[directive])
                fields.append(directive)
            else:
                return lambda text: datetime.strptime(text, fmt)
        elif char.isspace():
            while i < len(fmt) and fmt[i].isspace():
                i += 1
            pattern.append(r"\s+")
        else:
            pattern.append(re.escape(char))
            i += 1
    regex = re.compile("".join(pattern), re.IGNORECASE)

    def read(text: str) -> datetime:
        match = regex.fullmatch(text)
        if match is None:
            raise ValueError(text)
        values = dict(zip(fields, match.groups(), strict=True))
        year = int(values.get("Y", "1900"))
        if "y" in values:
            short = int(values["y"])
            year = short + (1900 if short >= 69 else 2000)
        hour = int(values.get("H", "0"))
        if "I" in values:
            hour = int(values["I"]) % 12 + (12 if values.get("p", "").lower() == "pm" else 0)
        zone_info: tzinfo | None = None
        if "z" in values:
            zone_info = _offset(values["z"])
        return datetime(
            year,
            int(values.get("m", "1")),
            int(values.get("d", "1")),
            hour,
            int(values.get("M", "0")),
            int(values.get("S", "0")),
            int(values["f"].ljust(6, "0")) if "f" in values else 0,
            tzinfo=zone_info,
        )

    return read


def _offset(text: str) -> tzinfo:
    if text in ("Z", "z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return timezone(sign * timedelta(minutes=minutes))


_EPOCH_NAIVE = datetime(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH_NAIVE.toordinal()


class DateParser:
    """Reads date cells (text, or workbook date/time values) to epoch seconds."""

    def __init__(self, date_format: str | None, dayfirst: bool | None, tz: tzinfo | None) -> None:
        self.date_format = date_format
        self.dayfirst = dayfirst
        self.tz = tz
        self.read_format = None if date_format is None else _compile_format(date_format)
        self.offsets: dict[
            int, int
        ] = {}  # local hour -> UTC offset seconds, hours without a change

    def with_order(self, dayfirst: bool) -> DateParser:
        """A parser of the same format and zone reading 03/02/2026 in this order."""
        other = DateParser(self.date_format, dayfirst, self.tz)
        other.offsets = self.offsets
        return other

    def __call__(self, value: Any) -> int | None:
        """Epoch seconds of a cell, None for a blank one; DateError or NoZoneError if unreadable."""
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            moment = self._text(text)
        elif isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime.combine(value, time())
        elif isinstance(value, time):
            raise DateError(f"{value.isoformat()} is a time of day without a date")
        elif isinstance(value, bool):
            raise DateError(f"{cell_text(value)} is a true/false value, not a date")
        elif isinstance(value, int | float):
            raise DateError(
                f"{cell_text(value)} is a number, not a date; format the cell as a date"
            )
        else:
            raise DateError(f"{cell_text(value)!r} is not a date")
        if moment.tzinfo is not None:
            return int(moment.timestamp() // 1)
        if self.tz is None:
            raise NoZoneError(value if isinstance(value, str) else cell_text(value))
        return self._local(moment)

    def _local(self, moment: datetime) -> int:
        """Epoch seconds of a naive time in self.tz, as to_epoch reads it (fold=0).

        The zone's offset is looked up once per local hour in which it does not change;
        hours with a change (or two) are computed exactly every time.
        """
        local = (
            (moment.toordinal() - _EPOCH_ORDINAL) * 86400
            + moment.hour * 3600
            + moment.minute * 60
            + moment.second
        )
        hour = local // 3600
        offset = self.offsets.get(hour)
        if offset is not None:
            return local - offset
        assert self.tz is not None
        start = _EPOCH_NAIVE + timedelta(hours=hour)
        first = start.replace(tzinfo=self.tz, fold=0).utcoffset()
        last = (start + timedelta(seconds=3599)).replace(tzinfo=self.tz, fold=0).utcoffset()
        if first is not None and first == last:
            self.offsets[hour] = int(first.total_seconds())
        return int(moment.replace(tzinfo=self.tz, fold=0).timestamp() // 1)

    def _text(self, text: str) -> datetime:
        if self.read_format is not None:
            try:
                return self.read_format(text)
            except ValueError:
                assert self.date_format is not None
                example = SAMPLE_TIME.strftime(self.date_format)
                raise DateError(
                    f"{text!r} does not match the mapping's date format "
                    f"{self.date_format!r} (like {example!r})"
                ) from None
        if len(text) >= 8 and text[4:5] == "-" and text[:4].isdigit():
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                pass
        match = _NUMERIC.fullmatch(text)
        if match is None:
            raise DateError(f"{text!r} is not a date this program recognises; {self._expected()}")
        return self._numeric(match, text)

    def _expected(self) -> str:
        order = "02/03/2026 14:05 (day first)" if self.dayfirst else "03/02/2026 2:05 PM"
        return (
            f"expected like 2026-03-02 14:05, {order} or 2026-03-02T14:05:00Z, "
            'or set "date_format" in the mapping'
        )

    def _numeric(self, match: re.Match[str], text: str) -> datetime:
        a, sep, b, c, hours, minutes, seconds, half, offset = match.groups()
        if len(a) == 4 and len(c) <= 2:
            year, month, day, order = a, b, c, f"year{sep}month{sep}day"
        elif len(a) <= 2 and len(c) == 4:
            if sep == "." or self.dayfirst:
                day, month, year, order = a, b, c, f"day{sep}month{sep}year"
            else:
                month, day, year, order = a, b, c, f"month{sep}day{sep}year"
        elif len(a) <= 2 and len(c) == 2:
            raise DateError(
                f'{text!r} has a two-digit year, which is ambiguous; set "date_format" '
                'in the mapping (like "%m/%d/%y" or "%d.%m.%y")'
            )
        else:
            raise DateError(f"{text!r} is not a date this program recognises; {self._expected()}")
        hour = int(hours) if hours else 0
        if half:
            if not 1 <= hour <= 12:
                raise DateError(f"{text!r} has hour {hour} with AM/PM; expected 1 to 12")
            hour = hour % 12 + (12 if half in "Pp" else 0)
        try:
            return datetime(
                int(year),
                int(month),
                int(day),
                hour,
                int(minutes) if minutes else 0,
                int(seconds) if seconds else 0,
                tzinfo=None if offset is None else _offset(offset),
            )
        except ValueError as exc:
            if order.startswith("month") and sep != ".":
                hint = '; if the dates are day first, set "dayfirst": true in the mapping'
            elif order.startswith("day") and sep != ".":
                hint = '; if the dates are month first, set "dayfirst": false in the mapping'
            else:
                hint = ""
            raise DateError(f"{text!r} is not a valid {order} date ({exc}){hint}") from None
