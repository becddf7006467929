"""A person of the revenue org as the directory knows them."""

from __future__ import annotations

from dataclasses import dataclass


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
