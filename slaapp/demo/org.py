"""A deterministic demo revenue org: its people, customer journeys and their event log."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from slaapp.demo.people import (
    AE,
    CS,
    CS_ROUTER,
    MQL_ROUTERS,
    NY,
    SDR,
    SLOW_REPS,
    UNDERSTAFFED_SDRS,
    DemoPerson,
    roster,
)
from slaapp.demo.settle import overdue_closings
from slaapp.engine.calendar import Calendar, CalendarSpec, HolidayPreset
from slaapp.engine.eventlog import EventLog, event_log_from_columns
from slaapp.engine.matrix import Matrix

__all__ = [
    "SLOW_REPS",
    "UNDERSTAFFED_SDRS",
    "DemoOrg",
    "DemoPerson",
    "DemoRecord",
    "generate_demo",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
Obj = npt.NDArray[np.object_]

MIN, H, D = 60, 3600, 86400
LEADS_PER_DAY = 222.0
RENEWALS_PER_DAY = 3.5
HORIZON_DAYS = 120
"""Days past `now` covered by the day table (chains are generated past now, then cut)."""

TIERS = ("Enterprise", "Mid-Market", "SMB")
TIER_SHARE = (0.08, 0.30, 0.62)
TIER_AMOUNT = (160_000.0, 38_000.0, 9_000.0)
TIER_CONVERSION = (1.5, 1.15, 0.9)
SOURCES = ("Web", "Paid search", "Webinar", "Partner", "Outbound")
SOURCE_SHARE = (0.38, 0.22, 0.16, 0.10, 0.14)
REGIONS = ("Northeast", "Southeast", "Midwest", "South Central", "West")
REGION_SHARE = (0.26, 0.16, 0.20, 0.16, 0.22)
ENTERPRISE, PARTNER = 0, 3
ATTRIBUTES = ("tier", "source", "region", "amount", "discovery_notes")

# MQL arrivals per New York hour of a weekday, relative; weekends and holidays are quieter and
# Monday morning carries the weekend's form fills.
HOURLY = np.array(
    [0.15] * 6
    + [0.3, 0.6, 1.2, 1.8, 2.0, 1.9, 1.4, 1.6, 1.8, 1.7, 1.4, 1.0, 0.7, 0.5, 0.45, 0.35, 0.25, 0.2]
)
WEEKEND, HOLIDAY, MONDAY_MORNING = 0.22, 0.3, 2.2
THURSDAY_SLOWDOWN = 8.0
"""First contact on Thursday afternoons takes this many times longer (a planted hour block)."""

US_BUSINESS = CalendarSpec(
    timezone=NY,
    hours={day: ((8 * H, 18 * H),) for day in range(5)},
    holiday_preset=HolidayPreset("US"),
    hours_per_day=10,
)
"""The default matrix's `us_business` calendar: conversion depends on first contact in it."""

NOTES = (
    "Discovery call: manual reporting pain, evaluating this quarter",
    "Spoke with ops lead; budget approved, wants a demo next week",
    "Champion identified; current vendor contract ends in 90 days",
    "Interested in integrations; needs security review",
    "Left voicemail, then connected by email; timeline unclear",
    "Team of 40, growing; looking to replace spreadsheets",
    "Referred by partner; exec sponsor is the COO",
    "Pricing questions; comparing two competitors",
    "Needs SSO and audit log; IT to join next call",
    "Early research; follow up after their planning cycle",
)
COMPANY_FIRST = (
    "Acme", "Apex", "Arbor", "Aster", "Atlas", "Aurora", "Beacon", "Birch", "Blue Fin", "Bolt",
    "Brightwater", "Cascade", "Cedar", "Clearpath", "Cobalt", "Copper", "Crescent", "Crown",
    "Delta", "Driftwood", "Eagle", "Elm", "Ember", "Evergreen", "Falcon", "Fieldstone", "Flint",
    "Foxglove", "Granite", "Greenleaf", "Harbor", "Hawthorn", "Highland", "Horizon", "Iron",
    "Juniper", "Keystone", "Lakeside", "Lantern", "Laurel", "Liberty", "Lighthouse", "Maple",
    "Meridian", "Mesa", "Millstone", "Monarch", "North Star", "Oakridge", "Orchard", "Pacific",
    "Paragon", "Peak", "Pinnacle", "Pioneer", "Prairie", "Quarry", "Redwood", "Ridgeline",
    "River", "Sable", "Sagebrush", "Silver", "Skyline", "Sterling", "Stonebridge", "Summit",
    "Sunrise", "Tall Pine", "Tidewater", "Timber", "Trident", "Union", "Valley", "Vanguard",
    "Vista", "Westwind", "Willow", "Windmill", "Zenith",
)  # fmt: skip
COMPANY_SECOND = (
    "Analytics", "Bank", "Biotech", "Brands", "Capital", "Clinics", "Cloud", "Construction",
    "Consulting", "Data", "Dental", "Design", "Energy", "Engineering", "Foods", "Freight",
    "Health", "Hospitality", "Insurance", "Labs", "Learning", "Legal", "Logistics",
    "Manufacturing", "Media", "Medical", "Mobility", "Networks", "Outfitters", "Partners",
    "Pharma", "Properties", "Realty", "Retail", "Robotics", "Security", "Software", "Supply",
    "Systems", "Telecom", "Travel", "Ventures", "Water", "Wellness", "Works",
)  # fmt: skip
COMPANY_LEGAL = ("Inc.", "LLC", "Co.", "Group", "Corp.", "Holdings")


@dataclass(frozen=True)
class DemoRecord:
    """One customer journey: a lead, the deal it became or the account it turned into."""

    id: str
    kind: str
    name: str
    created_at: int
    source: str = "demo"


@dataclass(frozen=True, eq=False)
class DemoOrg:
    """The demo org: its people, the whole event log (owners are emails) and its records."""

    people: tuple[DemoPerson, ...]
    log: EventLog
    records: tuple[DemoRecord, ...]
    start: int
    now: int


def generate_demo(
    seed: int = 7, days: int = 90, now: int | None = None, matrix: Matrix | None = None
) -> DemoOrg:
    """A believable revenue org with `days` days of history up to `now` (default: this minute).

    Deterministic for (seed, days, now). Chains are generated with numpy and cut at `now`, so
    clocks are still running there: on track, at risk, paused and breached. With the matrix
    the demo is judged by, clocks overdue by more than a few hours were closed out (late or
    cancelled), so the live table looks like a working day, not weeks of neglect.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    now = int(time.time()) // MIN * MIN if now is None else int(now)
    first_day = datetime.fromtimestamp(now, ZoneInfo(NY)).date() - timedelta(days=days)
    people = roster(first_day, days)
    world = _World(people, first_day, now)
    rng = np.random.default_rng(seed)
    events = _Events(now)
    leads = _Leads.generate(rng, world, events)
    deals = _deals(rng, world, events, leads)
    won = deals[deals.won]
    _customers(rng, world, events, won.record, won.at, leads.tier[won.record] == ENTERPRISE)
    accounts = _renewals(rng, world, events, leads.count, days)

    kind = np.full(leads.count, "lead", dtype=object)
    kind[deals.record[deals.sql_at <= now]] = "deal"
    kind[won.record[won.at <= now]] = "account"
    ids = [f"L-{i + 1:06d}" for i in range(leads.count)]
    ids += [f"A-{i + 1:06d}" for i in range(accounts.size)]
    names = _company_names(rng, leads.count + accounts.size)
    kinds = [*kind.tolist(), *(["account"] * accounts.size)]
    created = np.concatenate((leads.arrived, accounts)).tolist()
    records = tuple(
        DemoRecord(id=i, kind=k, name=n, created_at=c)
        for i, k, n, c in zip(ids, kinds, names, created)
    )
    emails = [p.email or p.key for p in people]
    log = events.build(np.array(ids, dtype=object), emails)
    if matrix is not None:  # a working day: what was long overdue has been handled
        position = {r: i for i, r in enumerate(ids)}
        for _ in range(3):  # a late stop event may start the next handoff's clock
            closings = overdue_closings(matrix, log, now, rng)
            if not closings:
                break
            for event, late, at in closings:
                events.add(event, np.array([position[r] for r in late], dtype=np.int64), at)
            log = events.build(np.array(ids, dtype=object), emails)
    return DemoOrg(people=people, log=log, records=records, start=world.start, now=now)


class _World:
    """Shared context: the day table, holidays, time off and each person's working calendar."""

    def __init__(self, people: tuple[DemoPerson, ...], first_day: date, now: int) -> None:
        self.people = people
        self.index = {p.key: i for i, p in enumerate(people)}
        self.us = Calendar(US_BUSINESS)
        self.first_day = first_day
        self.start = self.us.local_instant(first_day, 0)
        count = (self.us.local_date(now) - first_day).days + HORIZON_DAYS
        days = [first_day + timedelta(days=i) for i in range(count)]
        self.midnights = np.array([self.us.local_instant(d, 0) for d in days], dtype=np.int64)
        self.weekday = np.array([d.weekday() for d in days], dtype=np.int64)
        names = [self.us.holiday_name(d) for d in days]
        self.holiday = np.array([n is not None for n in names], dtype=np.bool_)
        self.holidays = {d: n for d, n in zip(days, names) if n is not None}
        self.off = np.zeros((count, len(people)), dtype=np.bool_)
        for p, person in enumerate(people):
            for day in person.days_off():
                if 0 <= (day - first_day).days < count:
                    self.off[(day - first_day).days, p] = True
        self._calendars: dict[int, Calendar] = {}

    def key(self, name: str) -> int:
        return self.index[name]

    def members(self, team: str) -> I64:
        found = [i for i, p in enumerate(self.people) if p.team == team and p.role == "rep"]
        return np.array(found, dtype=np.int64)

    def calendar(self, person: int) -> Calendar:
        """The person's working hours in their own zone, closed on holidays and days off."""
        found = self._calendars.get(person)
        if found is None:
            p = self.people[person]
            begin, end = p.hours
            spec = CalendarSpec(
                timezone=p.timezone,
                hours={day: ((begin * H, end * H),) for day in range(5)},
                holidays=self.holidays,
                overrides={day: () for day in p.days_off()},
                hours_per_day=end - begin,
            )
            found = self._calendars[person] = Calendar(spec)
        return found

    def day(self, t: I64) -> I64:
        """Index of the New York date of each instant in the day table (clipped to it)."""
        found = np.searchsorted(self.midnights, t, side="right") - 1
        return np.clip(found, 0, self.midnights.size - 1).astype(np.int64)

    def hour(self, t: I64) -> I64:
        """New York wall-clock hour of each instant (approximate on DST change days)."""
        since: I64 = t - self.midnights[self.day(t)]
        return np.clip(since // H, 0, 23).astype(np.int64)

    def work(self, owner: I64, start: I64, seconds: F64) -> I64:
        """When each owner finishes `seconds` of work begun at `start`, in their working hours."""
        done = np.empty(start.size, dtype=np.int64)
        needed = np.maximum(seconds, MIN).astype(np.int64)
        for person in np.unique(owner):
            chosen = owner == person
            done[chosen] = self.calendar(int(person)).add_many(start[chosen], needed[chosen])
        return done

    def round_robin(self, members: I64, t: I64) -> I64:
        """Owners dealt in turn by time, skipping members out of office on that New York date."""
        order = np.argsort(t, kind="stable")
        rank = np.empty(t.size, dtype=np.int64)
        rank[order] = np.arange(t.size)
        day = self.day(t)
        owner = np.empty(t.size, dtype=np.int64)
        for d in np.unique(day):
            chosen = day == d
            here = members[~self.off[d, members]]
            if here.size == 0:
                here = members
            owner[chosen] = here[rank[chosen] % here.size]
        return owner

    def staffing(self, members: I64, t: I64) -> F64:
        """Team size over members working on each instant's date: 1.0 fully staffed."""
        present: I64 = (~self.off[np.ix_(self.day(t), members)]).sum(axis=1)
        return np.asarray(members.size / np.maximum(present, 1), dtype=np.float64)


class _Events:
    """Event columns collected step by step; anything after `now` is dropped."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.names: list[str] = []
        self.parts: list[tuple[I64, int, I64, I64, dict[str, Obj]]] = []

    def add(
        self,
        name: str,
        records: I64,
        times: I64,
        owners: I64 | None = None,
        attributes: Mapping[str, Obj] | None = None,
    ) -> None:
        keep = times <= self.now
        if name not in self.names:
            self.names.append(name)
        owner = np.full(records.size, -1, dtype=np.int64) if owners is None else owners
        attrs = {k: v[keep] for k, v in (attributes or {}).items()}
        code = self.names.index(name)
        self.parts.append((records[keep], code, times[keep].astype(np.int64), owner[keep], attrs))

    def build(self, record_ids: Obj, emails: list[str]) -> EventLog:
        record = np.concatenate([p[0] for p in self.parts])
        code = np.concatenate([np.full(p[0].size, p[1], dtype=np.int64) for p in self.parts])
        times = np.concatenate([p[2] for p in self.parts])
        owner = np.concatenate([p[3] for p in self.parts])
        columns = {name: np.full(times.size, None, dtype=object) for name in ATTRIBUTES}
        offset = 0
        for part in self.parts:
            for name, values in part[4].items():
                columns[name][offset : offset + values.size] = values
            offset += part[0].size
        order = np.argsort(times, kind="stable")
        owner_text = np.array([*emails, None], dtype=object)
        return event_log_from_columns(
            record_ids[record[order]].tolist(),
            np.array(self.names, dtype=object)[code[order]].tolist(),
            times[order].tolist(),
            owner_text[owner[order]].tolist(),
            {name: column[order].tolist() for name, column in columns.items()},
        )


def _thursday_afternoon(world: _World, t: I64) -> B:
    """Thursdays 13:00-17:00 New York: the SDR team's weekly pipeline review leaves few on the
    queue (the demo's recurring capacity block)."""
    hour = world.hour(t)
    found: B = (world.weekday[world.day(t)] == 3) & (hour >= 13) & (hour < 17)
    return found


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> F64:
    return median * np.exp(sigma * rng.standard_normal(n))


def _days(rng: np.random.Generator, low: float, high: float, n: int) -> I64:
    return (rng.uniform(low, high, n) * D).astype(np.int64)


def _text(values: tuple[str, ...], codes: I64) -> Obj:
    return np.array(values, dtype=object)[codes]


def _blank(values: Obj, missing: B) -> Obj:
    """The values with None (no value) where `missing`."""
    found = values.copy()
    found[missing] = None
    return found


def _money(values: F64) -> Obj:
    rounded = (np.round(values / 500) * 500).astype(np.int64)
    return np.array([str(v) for v in rounded.tolist()], dtype=object)


@dataclass(frozen=True, eq=False)
class _Leads:
    """Every MQL with its attributes and the instants of its first steps."""

    count: int
    arrived: I64
    tier: I64
    source: I64
    value: F64
    assigned: I64
    sdr: I64
    contacted: I64
    first_contact_at: I64

    @staticmethod
    def generate(rng: np.random.Generator, world: _World, events: _Events) -> _Leads:
        arrived = _arrivals(rng, world, events.now)
        n = arrived.size
        record = np.arange(n, dtype=np.int64)
        tier = rng.choice(len(TIERS), n, p=TIER_SHARE).astype(np.int64)
        source = rng.choice(len(SOURCES), n, p=SOURCE_SHARE).astype(np.int64)
        region = rng.choice(len(REGIONS), n, p=REGION_SHARE).astype(np.int64)
        value = np.asarray(TIER_AMOUNT)[tier] * np.exp(0.55 * rng.standard_normal(n))
        amount_known = rng.random(n) < 0.55
        enterprise, partner = tier == ENTERPRISE, source == PARTNER
        urgency = np.where(enterprise, 0.35, np.where(partner, 0.6, 1.0))

        # Marketing owns the MQL: the New York router mornings, the Chicago one afternoons.
        morning, afternoon = (world.key(k) for k in MQL_ROUTERS)
        hour, weekday = world.hour(arrived), world.weekday[world.day(arrived)]
        late = (hour >= 12) & (hour < 18) & (weekday < 5)
        late ^= rng.random(n) < 0.1
        router = np.where(late, afternoon, morning).astype(np.int64)
        events.add(
            "mql",
            record,
            arrived,
            router,
            {
                "tier": _text(TIERS, tier),
                "source": _text(SOURCES, source),
                "region": _text(REGIONS, region),
                "amount": _blank(_money(value), ~amount_known),
            },
        )

        # Routing: in the router's working hours; after hours some go by an automatic rule.
        auto = ~world.us.is_open_many(arrived) & (rng.random(n) < 0.55)
        routed = world.work(router, arrived, _lognormal(rng, 12 * MIN, 1.1, n) * urgency)
        automatic = arrived + np.maximum(rng.exponential(4 * MIN, n), 30).astype(np.int64)
        assigned = np.where(auto, automatic, routed)
        spam = rng.random(n) < 0.03
        spam_at = arrived + np.maximum(MIN, (assigned - arrived) * rng.uniform(0.2, 0.9, n))
        events.add("disqualified", record[spam], spam_at[spam].astype(np.int64))

        sdrs = world.members(SDR)
        sdr = world.round_robin(sdrs, assigned)
        events.add("assigned", record[~spam], assigned[~spam], sdr[~spam])

        # First contact in the SDR's own hours: slower for slow reps and short-staffed days.
        speed = rng.uniform(0.8, 1.25, len(world.people))
        speed[[world.key(k) for k in SLOW_REPS]] = 2.6
        slow = np.isin(sdr, [world.key(k) for k in SLOW_REPS])
        delay = _lognormal(rng, 25 * MIN, 0.95, n) * speed[sdr]
        delay *= world.staffing(sdrs, assigned) ** 2.5
        delay *= np.where(_thursday_afternoon(world, assigned), THURSDAY_SLOWDOWN, 1.0)
        delay *= np.where(enterprise, 0.4, np.where(partner, 0.5, 1.0))
        contact_at = world.work(sdr, assigned, delay)
        fate = rng.random(n)
        dropped = ~spam & (fate < 0.05)  # junk found before any contact
        # 0.05 <= fate < 0.065: leads that fall through the cracks and are never touched
        contacted = ~spam & (fate >= 0.065)
        dropped_at = world.work(sdr, assigned, _lognormal(rng, 30 * MIN, 1.0, n))
        events.add("disqualified", record[dropped], dropped_at[dropped])
        # Marketing recycles leads nobody touched after three to five weeks.
        cracks = ~spam & ~dropped & ~contacted
        recycled_at = assigned + (rng.uniform(21, 35, n) * D).astype(np.int64)
        events.add("disqualified", record[cracks], recycled_at[cracks])
        notes = _text(NOTES, rng.integers(0, len(NOTES), n))
        blank = rng.random(n) < np.where(slow, 0.22, 0.08)
        events.add(
            "first_contact",
            record[contacted],
            contact_at[contacted],
            attributes={"discovery_notes": _blank(notes, blank)[contacted]},
        )
        return _Leads(
            n, arrived, tier, source, value, assigned, sdr, record[contacted], contact_at[contacted]
        )


def _arrivals(rng: np.random.Generator, world: _World, now: int) -> I64:
    """MQL instants: Poisson counts per hour with business-hour peaks and a Monday spike."""
    bins = np.arange(world.start, now, H, dtype=np.int64)
    day, hour = world.day(bins), world.hour(bins)
    weekday = world.weekday[day]
    weight = HOURLY[hour] * np.where(weekday >= 5, WEEKEND, 1.0)
    weight *= np.where((weekday == 0) & (hour >= 8) & (hour < 12), MONDAY_MORNING, 1.0)
    weight *= np.where(world.holiday[day], HOLIDAY, 1.0)
    expected = LEADS_PER_DAY * (now - world.start) / D
    counts = rng.poisson(weight * expected / weight.sum())
    times = np.repeat(bins, counts) + rng.integers(0, H, int(counts.sum()))
    return np.sort(times[times <= now]).astype(np.int64)


@dataclass(frozen=True, eq=False)
class _Deals:
    """Leads that became sales-qualified, with their AE and the closed-won instants."""

    record: I64
    sql_at: I64
    won: B
    at: I64

    def __getitem__(self, chosen: B) -> _Deals:
        return _Deals(self.record[chosen], self.sql_at[chosen], self.won[chosen], self.at[chosen])


def _deals(rng: np.random.Generator, world: _World, events: _Events, leads: _Leads) -> _Deals:
    """SQL (more likely after a fast first contact), demo, proposal and the decision."""
    record, contact_at = leads.contacted, leads.first_contact_at
    n = record.size
    tier, sdr = leads.tier[record], leads.sdr[record]
    hours = world.us.elapsed_many(leads.assigned[record], contact_at) / H
    fit = np.asarray(TIER_CONVERSION)[tier] * np.where(leads.source[record] == PARTNER, 1.5, 1.0)
    chance = np.clip((0.03 + 0.15 * np.exp(-hours / 2.0)) * fit, 0.0, 0.9)
    sql = rng.random(n) < chance
    sql_at = world.work(sdr, contact_at, _lognormal(rng, 5 * H, 0.8, n))
    not_fit = ~sql & (rng.random(n) < 0.45)
    not_fit_at = world.work(sdr, contact_at, _lognormal(rng, 8 * H, 0.9, n))
    events.add("disqualified", record[not_fit], not_fit_at[not_fit])

    record, sql_at, enterprise = record[sql], sql_at[sql], tier[sql] == ENTERPRISE
    m = record.size
    ae = world.round_robin(world.members(AE), sql_at)
    events.add("sql", record, sql_at, ae)
    step = rng.random(m)
    rejected, stalled, demo = step < 0.10, (step >= 0.10) & (step < 0.18), step >= 0.18
    rejected_at = world.work(ae, sql_at, _lognormal(rng, 8 * H, 0.9, m))
    stalled_at = sql_at + _days(rng, 20, 50, m)
    demo_at = world.work(ae, sql_at, _lognormal(rng, 18 * H, 0.6, m) * np.where(enterprise, 1.4, 1))
    events.add("disqualified", record[rejected], rejected_at[rejected])
    events.add("demo_held", record[demo], demo_at[demo], ae[demo])

    step = rng.random(m)
    lost_early = demo & (step < 0.12)
    stalled_late = demo & (step >= 0.12) & (step < 0.17)
    proposal = demo & (step >= 0.17)
    lost_early_at = demo_at + _days(rng, 1, 10, m)
    stalled_late_at = demo_at + _days(rng, 25, 60, m)
    proposal_at = world.work(
        ae, demo_at, _lognormal(rng, 10 * H, 0.7, m) * np.where(enterprise, 1.6, 1)
    )
    quoted = leads.value[record] * rng.uniform(0.8, 1.3, m)
    priced = rng.random(m) < 0.93
    events.add(
        "proposal_sent",
        record[proposal],
        proposal_at[proposal],
        attributes={"amount": _blank(_money(quoted), ~priced)[proposal]},
    )
    step = rng.random(m)
    decided_at = proposal_at + (_lognormal(rng, 10 * D, 0.5, m) * np.where(enterprise, 2.1, 1))
    won = proposal & (step < 0.33)
    lost = proposal & (step >= 0.33) & (step < 0.88)
    lost_at = np.select(
        [stalled, lost_early, stalled_late],
        [stalled_at, lost_early_at, stalled_late_at],
        decided_at,
    ).astype(np.int64)
    closed_lost = stalled | lost_early | stalled_late | lost
    events.add("closed_lost", record[closed_lost], lost_at[closed_lost])
    won_at = decided_at.astype(np.int64)
    events.add("closed_won", record[won], won_at[won], ae[won])
    return _Deals(record, sql_at, won, won_at)


def _customers(
    rng: np.random.Generator,
    world: _World,
    events: _Events,
    record: I64,
    won_at: I64,
    enterprise: B,
) -> None:
    """Closed-won customers: CS owner, kickoff, onboarding with pauses, and a few churned."""
    n = record.size
    if n == 0:
        return
    router = np.full(n, world.key(CS_ROUTER), dtype=np.int64)
    assign_delay = _lognormal(rng, 2.5 * H, 1.0, n) * np.where(enterprise, 0.4, 1.0)
    assigned_at = world.work(router, won_at, assign_delay)
    owner = world.round_robin(world.members(CS), assigned_at)
    events.add("cs_assigned", record, assigned_at, owner)
    kickoff_delay = _lognormal(rng, 12 * H, 0.6, n) * np.where(enterprise, 0.7, 1.0)
    kickoff_at = world.work(owner, assigned_at, kickoff_delay)
    duration = (_lognormal(rng, 9 * D, 0.4, n) * np.where(enterprise, 1.9, 1.0)).astype(np.int64)
    step = rng.random(n)
    churned_early = step < 0.015
    churned_onboarding = (step >= 0.015) & (step < 0.045)
    blocked = ~churned_early & ~churned_onboarding & (rng.random(n) < 0.3)
    block_at = kickoff_at + (duration * rng.uniform(0.15, 0.7, n)).astype(np.int64)
    blocked_for = _lognormal(rng, 3.5 * D, 0.6, n).astype(np.int64)
    complete_at = kickoff_at + duration + np.where(blocked, blocked_for, 0)
    completed = ~churned_early & ~churned_onboarding
    churned_late = completed & (rng.random(n) < 0.02)
    churn_at = np.select(
        [churned_early, churned_onboarding],
        [
            assigned_at + _days(rng, 2, 6, n),
            kickoff_at + (duration * rng.uniform(0.2, 0.9, n)).astype(np.int64),
        ],
        complete_at + _days(rng, 15, 60, n),
    ).astype(np.int64)
    started = ~churned_early
    events.add("kickoff_held", record[started], kickoff_at[started])
    events.add("onboarding_blocked", record[blocked], block_at[blocked])
    events.add("onboarding_unblocked", record[blocked], (block_at + blocked_for)[blocked])
    events.add("onboarding_complete", record[completed], complete_at[completed])
    churned = churned_early | churned_onboarding | churned_late
    events.add("churned", record[churned], churn_at[churned])


def _renewals(
    rng: np.random.Generator, world: _World, events: _Events, first: int, days: int
) -> I64:
    """Older customers whose renewal window opens during the history; their creation instants."""
    n = int(rng.poisson(RENEWALS_PER_DAY * days))
    record = np.arange(first, first + n, dtype=np.int64)
    opened_at = np.sort(rng.integers(world.start, events.now, n)).astype(np.int64)
    tier = rng.choice(len(TIERS), n, p=(0.15, 0.40, 0.45)).astype(np.int64)
    source = rng.choice(len(SOURCES), n, p=SOURCE_SHARE).astype(np.int64)
    region = rng.choice(len(REGIONS), n, p=REGION_SHARE).astype(np.int64)
    value = np.asarray(TIER_AMOUNT)[tier] * np.exp(0.5 * rng.standard_normal(n))
    members = world.members(CS)
    owner = members[rng.integers(0, members.size, n)]
    attributes = {
        "tier": _text(TIERS, tier),
        "source": _text(SOURCES, source),
        "region": _text(REGIONS, region),
        "amount": _money(value),
    }
    events.add("renewal_window_open", record, opened_at, owner, attributes)
    enterprise = tier == ENTERPRISE
    started_at = opened_at + (
        _lognormal(rng, 12 * D, 0.55, n) * np.where(enterprise, 0.55, 1.0)
    ).astype(np.int64)
    churned = rng.random(n) < 0.07
    churned_at = opened_at + _days(rng, 3, 40, n)
    events.add("renewal_started", record[~churned], started_at[~churned])
    events.add("churned", record[churned], churned_at[churned])
    return (opened_at - _days(rng, 270, 300, n)).astype(np.int64)


def _company_names(rng: np.random.Generator, n: int) -> list[str]:
    """Company-like names, distinct while the word lists allow."""
    sizes = (len(COMPANY_FIRST), len(COMPANY_SECOND), len(COMPANY_LEGAL))
    total = sizes[0] * sizes[1] * sizes[2]
    pick = rng.choice(total, n, replace=n > total).astype(np.int64)
    first, rest = np.divmod(pick, sizes[1] * sizes[2])
    second, legal = np.divmod(rest, sizes[2])
    return [
        f"{COMPANY_FIRST[a]} {COMPANY_SECOND[b]} {COMPANY_LEGAL[c]}"
        for a, b, c in zip(first.tolist(), second.tolist(), legal.tolist())
    ]
