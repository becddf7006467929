"""The day/month order of a date column (01/02/2018), decided from all of its values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SLASHED = re.compile(r"\s*(\d{1,2})([/\-])(\d{1,2})\2(\d{4})\b")

DAY_FIRST, MONTH_FIRST, EITHER = "day", "month", "either"
SAY_IT = (
    'set "dayfirst": true in the mapping if they are day first (01/02/2018 is 1 February) '
    "or false if they are month first (01/02/2018 is 2 January)"
)


def date_order(text: str) -> str | None:
    """What one date text says about the order: DAY_FIRST, MONTH_FIRST, EITHER, or None
    when it tells nothing (03/03/2026, ISO dates, dotted dates, words, impossible dates)."""
    match = _SLASHED.match(text)
    if match is None:
        return None
    first, second = int(match.group(1)), int(match.group(3))
    first_month, second_month = 1 <= first <= 12, 1 <= second <= 12
    if first_month and second_month:
        return None if first == second else EITHER  # 03/03 reads the same either way
    if second_month and 1 <= first <= 31:
        return DAY_FIRST
    if first_month and 1 <= second <= 31:
        return MONTH_FIRST
    return None


@dataclass
class ColumnOrder:
    """What the values of one date column say about their order, with a first example each."""

    header: str
    counts: dict[str, int] = field(
        default_factory=lambda: {DAY_FIRST: 0, MONTH_FIRST: 0, EITHER: 0}
    )
    examples: dict[str, tuple[int, str]] = field(default_factory=dict)

    def add(self, row: int, text: str, count: int = 1) -> None:
        """Count a text found `count` times, first on `row`."""
        kind = date_order(text)
        if kind is not None:
            self.counts[kind] += count
            example = self.examples.get(kind)
            if example is None or row < example[0]:
                self.examples[kind] = (row, text.strip())

    def decide(self, declared: bool | None) -> tuple[bool, str | None]:
        """The column's order (True: day first) and, if it cannot be read safely, why."""
        day, month = self.counts[DAY_FIRST], self.counts[MONTH_FIRST]
        if day and month:
            return False, self._mixed()
        if declared is False and day:
            return False, self._contradicts(DAY_FIRST, day, "month first")
        if declared is True and month:
            return True, self._contradicts(MONTH_FIRST, month, "day first")
        if declared is not None:
            return declared, None
        if day or month:
            return bool(day), None
        if self.counts[EITHER]:
            return False, self._ambiguous()
        return False, None

    def _example(self, kind: str) -> str:
        row, text = self.examples[kind]
        return f"{text!r} on row {row}"

    def _mixed(self) -> str:
        return (
            f"mixes day-first dates (like {self._example(DAY_FIRST)}) and month-first dates "
            f"(like {self._example(MONTH_FIRST)}), so none of its dates can be trusted; "
            'export the column in one order or set "date_format" in the mapping'
        )

    def _contradicts(self, kind: str, count: int, declared: str) -> str:
        said, other = ("false", "true") if declared == "month first" else ("true", "false")
        words = "day first" if kind == DAY_FIRST else "month first"
        return (
            f"has {count:,} date(s) that can only be {words} (like {self._example(kind)}), "
            f'but the mapping says {declared} ("dayfirst": {said}), so its other dates would '
            f'be read the wrong way round; set "dayfirst": {other} in the mapping'
        )

    def _ambiguous(self) -> str:
        return (
            f"has {self.counts[EITHER]:,} date(s) like {self._example(EITHER)} and every "
            f"day is 12 or less, so day and month cannot be told apart; {SAY_IT}"
        )
