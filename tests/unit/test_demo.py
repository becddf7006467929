"""The demo org generator: determinism, shape, and the signals later analysis must find."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slaapp.demo.org import SLOW_REPS, UNDERSTAFFED_SDRS, DemoOrg, generate_demo
from slaapp.engine.clocks import (
    AT_RISK,
    BREACHED,
    CANCELLED,
    MET,
    MISSED,
    ON_TRACK,
    PAUSED,
    ClockTable,
    evaluate,
)
from slaapp.engine.eventlog import EventLog
from slaapp.engine.matrix import Matrix
from slaapp.importers.matrix_file import load_matrix

NY = ZoneInfo("America/New_York")
MATRIX = Path(__file__).resolve().parents[2] / "resources" / "matrices" / "revenue-default.json"
NOW = int(datetime(2026, 3, 11, 15, 30, tzinfo=NY).timestamp())  # a Wednesday afternoon
SUNDAY = int(datetime(2026, 6, 14, 10, 0, tzinfo=NY).timestamp())
TEAMS = {"Marketing", "SDR", "Account Executives", "Customer Success", "Revenue Leadership"}
H, D = 3600, 86400


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_demo(seed=7, days=90, now=NOW)


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return load_matrix(MATRIX)


@pytest.fixture(scope="module")
def clocks(org: DemoOrg, matrix: Matrix) -> ClockTable:
    return evaluate(matrix, org.log, org.now)


def events_of(log: EventLog) -> np.ndarray:
    return np.array(log.event.values, dtype=object)[log.event.codes]


def handoff(clocks: ClockTable, key: str) -> np.ndarray:
    return clocks.handoff == clocks.handoff_keys.index(key)


def owner_emails(clocks: ClockTable) -> np.ndarray:
    return np.array([*clocks.owners, None], dtype=object)[clocks.owner]


def same_log(a: EventLog, b: EventLog) -> bool:
    columns = [(a.record, b.record), (a.event, b.event), (a.owner, b.owner)]
    if a.attributes.keys() != b.attributes.keys():
        return False
    columns += [(a.attributes[k], b.attributes[k]) for k in a.attributes]
    return np.array_equal(a.occurred_at, b.occurred_at) and all(
        x.values == y.values and np.array_equal(x.codes, y.codes) for x, y in columns
    )


# ----- determinism ---------------------------------------------------------------------------


def test_same_seed_and_now_give_identical_output(org: DemoOrg) -> None:
    again = generate_demo(seed=7, days=90, now=NOW)
    assert same_log(org.log, again.log)
    assert again.people == org.people
    assert again.records == org.records
    assert (again.start, again.now) == (org.start, org.now)


def test_another_seed_differs(org: DemoOrg) -> None:
    other = generate_demo(seed=8, days=90, now=NOW)
    assert other.people == org.people
    assert not same_log(org.log, other.log)
    assert len(other.log) != len(org.log) or not np.array_equal(
        other.log.occurred_at, org.log.occurred_at
    )


def test_now_defaults_to_the_current_minute() -> None:
    before = int(time.time())
    small = generate_demo(days=2)
    assert small.now % 60 == 0
    assert before - 60 <= small.now <= time.time()
    assert int(small.log.occurred_at.max()) <= small.now


def test_days_must_be_positive() -> None:
    with pytest.raises(ValueError):
        generate_demo(days=0, now=NOW)


# ----- people ----------------------------------------------------------------------------------


def test_people_form_a_revenue_org(org: DemoOrg) -> None:
    people = {p.key: p for p in org.people}
    assert 27 <= len(people) <= 33
    assert len(people) == len(org.people)
    assert {p.team for p in org.people} == TEAMS
    assert {p.timezone for p in org.people} == {
        "America/New_York",
        "America/Chicago",
        "America/Los_Angeles",
    }
    reps = Counter(p.team for p in org.people if p.role == "rep")
    assert 2 <= reps["Marketing"] + 1 <= 3
    assert 7 <= reps["SDR"] <= 9
    assert 7 <= reps["Account Executives"] <= 9
    assert 5 <= reps["Customer Success"] <= 7
    managers = Counter(p.team for p in org.people if p.role == "manager")
    assert managers == {team: 1 for team in TEAMS - {"Revenue Leadership"}}
    vps = [p for p in org.people if p.role == "vp"]
    assert len(vps) == 1 and vps[0].manager is None
    assert vps[0].team == "Revenue Leadership"
    for person in org.people:
        assert person.email == f"{person.key}@northwind.example"
        assert 0 <= person.hours[0] < person.hours[1] <= 24
        assert person.capacity > 0
        chain, at = [], person
        while at.manager is not None:
            boss = people[at.manager]
            if at.role == "rep":
                assert boss.role == "manager" and boss.team == at.team
            chain.append(at.key)
            assert at.key not in chain[:-1]
            at = boss
        assert at is vps[0]


def test_two_sdrs_share_an_out_of_office_week(org: DemoOrg) -> None:
    people = {p.key: p for p in org.people}
    weeks = [people[k].out_of_office for k in UNDERSTAFFED_SDRS]
    assert weeks[0] == weeks[1] and len(weeks[0]) == 1
    first, last = (date.fromisoformat(d) for d in weeks[0][0])
    assert first.weekday() == 0 and (last - first).days == 4
    assert {people[k].team for k in (*UNDERSTAFFED_SDRS, *SLOW_REPS)} == {"SDR"}
    assert not set(UNDERSTAFFED_SDRS) & set(SLOW_REPS)


# ----- records and events ----------------------------------------------------------------------


def test_records_and_events_cover_the_history(org: DemoOrg) -> None:
    assert 15_000 <= len(org.records) <= 25_000
    ids = [r.id for r in org.records]
    assert len(set(ids)) == len(ids)
    assert set(org.log.records) <= set(ids)
    assert {r.kind for r in org.records} == {"lead", "deal", "account"}
    assert {r.source for r in org.records} == {"demo"}
    assert all(r.name for r in org.records)
    assert int(org.log.occurred_at.max()) <= org.now
    assert int(org.log.occurred_at.min()) >= org.start
    assert 89 * D < org.now - org.start <= 91 * D
    assert np.all(np.diff(org.log.occurred_at) >= 0)
    emails = {p.email for p in org.people}
    assert set(org.log.owner.values) <= emails


def test_record_count_scales_with_days(org: DemoOrg) -> None:
    month = generate_demo(seed=7, days=30, now=NOW)
    assert 0.25 < len(month.records) / len(org.records) < 0.42


def test_every_event_of_the_matrix_occurs(org: DemoOrg, matrix: Matrix) -> None:
    names = set(org.log.event.values)
    for h in matrix.handoffs:
        assert {h.start, h.stop, *h.cancel} <= names
        assert h.pause is None or {h.pause, h.resume} <= names


def test_mql_arrivals_peak_on_monday_mornings_with_some_after_hours(org: DemoOrg) -> None:
    times = org.log.occurred_at[events_of(org.log) == "mql"]
    local = [datetime.fromtimestamp(int(t), NY) for t in times]
    monday_morning = sum(1 for t in local if t.weekday() == 0 and 8 <= t.hour < 12)
    tuesday_morning = sum(1 for t in local if t.weekday() == 1 and 8 <= t.hour < 12)
    assert monday_morning > 1.5 * tuesday_morning
    after = sum(1 for t in local if t.weekday() >= 5 or not 8 <= t.hour < 18)
    assert 0.1 < after / len(local) < 0.4


# ----- clocks on the default matrix ------------------------------------------------------------


def test_every_handoff_has_clocks_in_every_kind_of_state(clocks: ClockTable) -> None:
    for key in clocks.handoff_keys:
        assert np.count_nonzero(handoff(clocks, key)) > 0, key
    status = Counter(clocks.status.tolist())
    for state in (ON_TRACK, AT_RISK, BREACHED, PAUSED, MET, MISSED, CANCELLED):
        assert status[state] > 0, state
    segments = Counter(clocks.segment_keys[s] for s in clocks.segment.tolist())
    for key in ("enterprise", "partner_referral", "after_hours", "default"):
        assert segments[key] > 100, key
    assert np.count_nonzero(clocks.quality == 0) > 0
    assert np.count_nonzero(clocks.quality == 1) > np.count_nonzero(clocks.quality == 0)


@pytest.mark.parametrize("now", [NOW, SUNDAY], ids=["wednesday", "sunday"])
def test_clocks_are_still_running_at_now(now: int, matrix: Matrix) -> None:
    org = generate_demo(seed=3, days=90, now=now)
    table = evaluate(matrix, org.log, org.now)
    status = Counter(table.status.tolist())
    for state in (ON_TRACK, AT_RISK, BREACHED):
        assert status[state] > 0, state


def test_most_clocks_are_met(clocks: ClockTable) -> None:
    judged = (clocks.status == MET) | (clocks.status == MISSED)
    assert 0.6 < np.count_nonzero(clocks.status == MET) / np.count_nonzero(judged) < 0.95


# ----- signals the analysis must find ----------------------------------------------------------


def test_two_slow_reps_take_longer_to_first_contact(org: DemoOrg, clocks: ClockTable) -> None:
    done = handoff(clocks, "first_contact") & ((clocks.status == MET) | (clocks.status == MISSED))
    owners = owner_emails(clocks)
    medians = {
        p.key: float(np.median(clocks.elapsed[done & (owners == p.email)]))
        for p in org.people
        if p.team == "SDR" and p.role == "rep"
    }
    slow = [medians.pop(k) for k in SLOW_REPS]
    assert min(slow) > max(medians.values())
    assert min(slow) > 1.8 * float(np.median(list(medians.values())))


def test_understaffed_week_breaches_first_contact_more(org: DemoOrg, clocks: ClockTable) -> None:
    week = next(p.out_of_office[0] for p in org.people if p.key == UNDERSTAFFED_SDRS[0])
    monday = date.fromisoformat(week[0])
    judged = handoff(clocks, "first_contact") & np.isin(clocks.status, (MET, MISSED, BREACHED))
    days = np.array([datetime.fromtimestamp(int(t), NY).date() for t in clocks.started_at])
    rates: dict[date, float] = {}
    first = datetime.fromtimestamp(org.start, NY).date()
    start = first + timedelta(days=(7 - first.weekday()) % 7)
    last = datetime.fromtimestamp(org.now, NY).date() - timedelta(days=7)
    while start + timedelta(days=4) < last:
        inside = judged & (days >= start) & (days <= start + timedelta(days=4))
        rates[start] = float(np.mean(clocks.status[inside] != MET))
        start += timedelta(days=7)
    understaffed = rates.pop(monday)
    assert len(rates) >= 8
    assert understaffed > max(rates.values()) + 0.05
    assert understaffed > 1.4 * float(np.median(list(rates.values())))


def test_fast_first_contact_converts_to_sql_more(
    org: DemoOrg, clocks: ClockTable, matrix: Matrix
) -> None:
    done = handoff(clocks, "first_contact") & ((clocks.status == MET) | (clocks.status == MISSED))
    done &= clocks.stopped_at < org.now - 21 * D
    business = matrix.calendar("us_business").elapsed_many(
        clocks.started_at[done], clocks.stopped_at[done]
    )
    records = np.array(clocks.records, dtype=object)[clocks.record[done]]
    with_sql = set(
        np.array(org.log.records, dtype=object)[org.log.record.codes][
            events_of(org.log) == "sql"
        ].tolist()
    )
    converted = np.array([r in with_sql for r in records.tolist()])
    fast, slow = business <= H, business > 8 * H
    assert np.count_nonzero(fast) > 1000 and np.count_nonzero(slow) > 30
    assert converted[fast].mean() > 2.5 * converted[slow].mean()
