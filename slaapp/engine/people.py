"""A person of the revenue org as the directory knows them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

E164 = re.compile(r"\+[1-9][0-9]{7,14}")
"""A phone number in E.164: `+`, the country code and the number, 8 to 15 digits in all."""
_SEPARATORS = re.compile(r"[\s().-]")


def phone_number(text: str) -> str:
    """`text` as an E.164 number (spaces, dots, dashes and brackets dropped); ValueError if not."""
    compact = _SEPARATORS.sub("", text.strip())
    if not E164.fullmatch(compact):
        raise ValueError(
            f"{text.strip()!r} is not a phone number in international form: "
            "write + then the country code and number, 8 to 15 digits (e.g. +14155550123)"
        )
    return compact


@dataclass(frozen=True)
class PersonInfo:
    """Who someone is, where they sit and when they work; `manager` is the manager's key."""

    key: str
    name: str
    email: str | None
    team: str
    role: str
    manager: str | None
    timezone: str
    hours: tuple[int, int]
    capacity: int
    out_of_office: tuple[tuple[str, str], ...] = ()
    active: bool = True
    phone: str | None = None
    """A mobile number in E.164 (`+14155550123`) for SMS alerts, else None."""

    def is_out(self, day: date) -> bool:
        """Whether `day` falls in one of the out-of-office spans (ISO dates, both included)."""
        text = day.isoformat()
        return any(first <= text <= last for first, last in self.out_of_office)
