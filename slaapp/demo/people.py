"""The demo revenue org's people: teams, managers, time zones, working hours and time off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from slaapp.engine.people import PersonInfo

DOMAIN = "northwind.example"
NY, CHI, LA = "America/New_York", "America/Chicago", "America/Los_Angeles"
MARKETING, SDR, AE, CS, LEADERSHIP = (
    "Marketing",
    "SDR",
    "Account Executives",
    "Customer Success",
    "Revenue Leadership",
)
TEAMS = (MARKETING, SDR, AE, CS, LEADERSHIP)
ROLES = ("rep", "manager", "vp")

SLOW_REPS = ("ben.carter", "emma.schultz")
"""Two SDRs who are consistently slower to make first contact."""
UNDERSTAFFED_SDRS = ("chloe.nguyen", "diego.alvarez")
"""Two SDRs out of office the same week: the understaffed week."""
MQL_ROUTERS = ("tom.becker", "lena.fischer")
"""Marketing reps who own new MQLs and route them: morning (New York) and afternoon (Chicago)."""
CS_ROUTER = "rachel.adams"
"""The Customer Success manager who assigns a CS owner to every closed-won customer."""


@dataclass(frozen=True)
class DemoPerson(PersonInfo):
    """One person of the demo org (always with an email)."""

    def days_off(self) -> set[date]:
        """Every date inside the person's out-of-office ranges."""
        found: set[date] = set()
        for first, last in self.out_of_office:
            day, end = date.fromisoformat(first), date.fromisoformat(last)
            while day <= end:
                found.add(day)
                day += timedelta(days=1)
        return found


# key, name, team, role, manager, time zone, hours, capacity
_ROSTER: tuple[tuple[str, str, str, str, str | None, str, tuple[int, int], int], ...] = (
    ("grace.okafor", "Grace Okafor", LEADERSHIP, "vp", None, NY, (8, 18), 10),
    ("priya.natarajan", "Priya Natarajan", MARKETING, "manager", "grace.okafor", NY, (9, 18), 50),
    ("tom.becker", "Tom Becker", MARKETING, "rep", "priya.natarajan", NY, (8, 17), 400),
    ("lena.fischer", "Lena Fischer", MARKETING, "rep", "priya.natarajan", CHI, (8, 17), 400),
    ("marcus.hill", "Marcus Hill", SDR, "manager", "grace.okafor", CHI, (8, 17), 20),
    ("ana.ruiz", "Ana Ruiz", SDR, "rep", "marcus.hill", NY, (8, 17), 60),
    ("ben.carter", "Ben Carter", SDR, "rep", "marcus.hill", NY, (9, 18), 60),
    ("chloe.nguyen", "Chloe Nguyen", SDR, "rep", "marcus.hill", NY, (8, 17), 60),
    ("diego.alvarez", "Diego Alvarez", SDR, "rep", "marcus.hill", CHI, (8, 17), 60),
    ("emma.schultz", "Emma Schultz", SDR, "rep", "marcus.hill", CHI, (8, 17), 60),
    ("farah.haddad", "Farah Haddad", SDR, "rep", "marcus.hill", CHI, (7, 16), 60),
    ("gabe.thompson", "Gabe Thompson", SDR, "rep", "marcus.hill", LA, (6, 15), 60),
    ("hana.kim", "Hana Kim", SDR, "rep", "marcus.hill", LA, (7, 16), 60),
    ("olivia.brooks", "Olivia Brooks", AE, "manager", "grace.okafor", NY, (8, 17), 15),
    ("jack.morrison", "Jack Morrison", AE, "rep", "olivia.brooks", NY, (8, 17), 40),
    ("kavya.iyer", "Kavya Iyer", AE, "rep", "olivia.brooks", NY, (9, 18), 40),
    ("liam.oconnor", "Liam O'Connor", AE, "rep", "olivia.brooks", NY, (8, 17), 40),
    ("maya.patel", "Maya Patel", AE, "rep", "olivia.brooks", CHI, (8, 17), 40),
    ("noah.wright", "Noah Wright", AE, "rep", "olivia.brooks", CHI, (8, 17), 40),
    ("sofia.rossi", "Sofia Rossi", AE, "rep", "olivia.brooks", CHI, (9, 18), 40),
    ("ethan.park", "Ethan Park", AE, "rep", "olivia.brooks", LA, (7, 16), 40),
    ("zoe.chen", "Zoe Chen", AE, "rep", "olivia.brooks", LA, (8, 17), 40),
    ("rachel.adams", "Rachel Adams", CS, "manager", "grace.okafor", CHI, (8, 17), 15),
    ("sam.lee", "Sam Lee", CS, "rep", "rachel.adams", NY, (8, 17), 25),
    ("isabel.moreno", "Isabel Moreno", CS, "rep", "rachel.adams", NY, (9, 18), 25),
    ("omar.siddiqui", "Omar Siddiqui", CS, "rep", "rachel.adams", CHI, (8, 17), 25),
    ("julia.novak", "Julia Novak", CS, "rep", "rachel.adams", CHI, (8, 17), 25),
    ("victor.huang", "Victor Huang", CS, "rep", "rachel.adams", LA, (7, 16), 25),
    ("nina.petrov", "Nina Petrov", CS, "rep", "rachel.adams", LA, (8, 17), 25),
)


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _span(first: date, length: int) -> tuple[str, str]:
    return first.isoformat(), (first + timedelta(days=length - 1)).isoformat()


def time_off(first_day: date, days: int) -> dict[str, tuple[tuple[str, str], ...]]:
    """Out-of-office ranges placed at fixed fractions of the history that starts on first_day."""

    def monday(fraction: float) -> date:
        return _monday_on_or_after(first_day + timedelta(days=round(days * fraction)))

    week = _span(monday(0.4), 5)
    return {
        UNDERSTAFFED_SDRS[0]: (week,),
        UNDERSTAFFED_SDRS[1]: (week,),
        "kavya.iyer": (_span(monday(0.18) + timedelta(days=2), 3),),
        "julia.novak": (_span(monday(0.62), 5),),
        "hana.kim": (_span(monday(0.78) + timedelta(days=4), 1),),
        "grace.okafor": (_span(monday(0.5) + timedelta(days=3), 2),),
        "marcus.hill": (_span(monday(0.7), 1),),
    }


def roster(first_day: date, days: int) -> tuple[DemoPerson, ...]:
    """The demo org's ~30 people, with time off placed inside the history's `days` days."""
    off = time_off(first_day, days)
    return tuple(
        DemoPerson(
            key=key,
            name=name,
            email=f"{key}@{DOMAIN}",
            team=team,
            role=role,
            manager=manager,
            timezone=zone,
            hours=hours,
            capacity=capacity,
            out_of_office=off.get(key, ()),
        )
        for key, name, team, role, manager, zone, hours, capacity in _ROSTER
    )
