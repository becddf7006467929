"""A person of the revenue org as the directory knows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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

    def is_out(self, day: date) -> bool:
        """Whether `day` falls in one of the out-of-office spans (ISO dates, both included)."""
        text = day.isoformat()
        return any(first <= text <= last for first, last in self.out_of_office)
